import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_PATH } from '../src/policy/index.ts';
import { publishPolicy, rollbackPolicy } from '../src/policy-versions/index.ts';
import type { Store } from '../src/store/types.ts';
import { openTestStore, tempDir } from './crm-harness.ts';

const DEFAULT_YAML = readFileSync(DEFAULT_POLICY_PATH, 'utf8');
const variant = (label: string, publishing: string) =>
  `${DEFAULT_YAML.replace(/^label: default$/m, `label: ${label}`)}\npublishing: ${publishing}\n`;

let store: Store | undefined;
let remove: (() => void) | undefined;
afterEach(async () => {
  await store?.close();
  remove?.();
});

describe('policy rollback', () => {
  it('cannot activate a version still waiting for its second approver (nor one rejected)', async () => {
    const tmp = tempDir();
    remove = tmp.remove;
    store = await openTestStore(tmp.dir);
    const s = store;
    const guarded = await publishPolicy(s, {
      yaml: variant('guarded', '{ second_approver: true }'),
      reason: 'two managers from now on',
      author: 'human:mgr-a',
      at: 1_000,
    });
    expect(guarded.status).toBe('active');
    const pending = await publishPolicy(s, {
      yaml: variant('loose', '{ second_approver: false }'),
      reason: 'one manager is enough',
      author: 'human:mgr-a',
      at: 2_000,
    });
    expect(pending.status).toBe('pending');
    await expect(
      rollbackPolicy(s, pending.version.id, { actor: 'human:mgr-a', reason: 'sneak it in', at: 3_000 }),
    ).rejects.toMatchObject({ code: 'GL_POLICY_SECOND_APPROVER' });
    expect((await s.policies.getActive())?.id).toBe(guarded.version.id);

    await s.publications.decide(pending.version.id, { actor: 'human:mgr-b', approve: false, at: 4_000 });
    await expect(
      rollbackPolicy(s, pending.version.id, { actor: 'human:mgr-a', reason: 'again', at: 5_000 }),
    ).rejects.toMatchObject({ code: 'GL_POLICY_SECOND_APPROVER' });
    expect((await s.policies.getActive())?.id).toBe(guarded.version.id);
  });

  it('still rolls back to a version that was active before', async () => {
    const tmp = tempDir();
    remove = tmp.remove;
    store = await openTestStore(tmp.dir);
    const first = await publishPolicy(store, { yaml: variant('one', '{}'), reason: 'r', author: 'human:m', at: 1 });
    await publishPolicy(store, { yaml: variant('two', '{}'), reason: 'r', author: 'human:m', at: 2 });
    await rollbackPolicy(store, first.version.id, { actor: 'human:m', reason: 'back', at: 3 });
    expect((await store.policies.getActive())?.id).toBe(first.version.id);
  });
});
