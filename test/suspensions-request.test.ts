import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/store/types.ts';
import { covers, type SuspendRequest, suspend } from '../src/suspensions/index.ts';
import { openTestStore, sessionMeta, tempDir } from './crm-harness.ts';

let store: Store | undefined;
let remove: (() => void) | undefined;
afterEach(async () => {
  await store?.close();
  remove?.();
});

describe('suspend: the request is checked before anything is stored', () => {
  it('refuses a role suspension naming no role (it would hold nothing), with GL_REQUEST_INVALID', async () => {
    const tmp = tempDir();
    remove = tmp.remove;
    store = await openTestStore(tmp.dir);
    const bad = { scope: 'role', target: 'closer', action: 'hold', reason: 'typo' } as SuspendRequest;
    await expect(suspend(store, bad, { actor: 'human:m', at: 1 })).rejects.toMatchObject({
      code: 'GL_REQUEST_INVALID',
    });
    const empty = { scope: 'agent', target: '', action: 'hold', reason: 'r' } as SuspendRequest;
    await expect(suspend(store, empty, { actor: 'human:m', at: 1 })).rejects.toMatchObject({
      code: 'GL_REQUEST_INVALID',
    });
    expect(await store.suspensions.list()).toEqual([]);
  });

  it('a role suspension of a real role covers that role only', async () => {
    const tmp = tempDir();
    remove = tmp.remove;
    store = await openTestStore(tmp.dir);
    const row = await suspend(
      store,
      { scope: 'role', target: 'closing', action: 'hold', reason: 'audit' },
      { actor: 'human:m', at: 1 },
    );
    expect(covers(row, sessionMeta({ role: 'closing' }))).toBe(true);
    expect(covers(row, sessionMeta({ role: 'booking' }))).toBe(false);
  });
});
