import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { budgetDay, chargeDaily, concessionUse } from './daily.ts';

const AT = Date.UTC(2026, 10, 21, 23, 30);
const limits = {
  per_agent_daily: { calls: 2, concession_percent_points: 30 },
  per_tenant_daily: { calls: 3, concession_usd: null },
};

describe('daily budgets', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'guardline-budgets-'));
    store = await openStore(
      { kind: 'sqlite', file: path.join(dir, 'g.db'), dataDir: dir },
      { onKeyGenerated: () => {} },
    );
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('days follow the tenant zone', () => {
    expect(budgetDay(AT)).toBe('2026-11-21');
    expect(budgetDay(AT, 'Asia/Tokyo')).toBe('2026-11-22');
  });

  it('caps calls per agent and per tenant, across sessions; a refusal moves no counter', async () => {
    const call = (agentId: string) =>
      chargeDaily(store, limits, { tenantId: 't1', agentId, metric: 'calls', amount: 1, at: AT });
    expect(await call('a1')).toMatchObject({ ok: true, totals: { agent: 1, tenant: 1 } });
    expect(await call('a1')).toMatchObject({ ok: true, totals: { agent: 2, tenant: 2 } });
    expect(await call('a1')).toMatchObject({ ok: false, refused: { scope: 'agent', cap: 2, total: 2 } });
    expect(await call('a2')).toMatchObject({ ok: true, totals: { agent: 1, tenant: 3 } });
    expect(await call('a3')).toMatchObject({ ok: false, refused: { scope: 'tenant', cap: 3, total: 3 } });
    expect(await store.budgets.get('agent:a3', 'calls', '2026-11-21')).toBe(0);
    const tomorrow = await chargeDaily(store, limits, {
      tenantId: 't1',
      agentId: 'a1',
      metric: 'calls',
      amount: 1,
      at: AT + 3_600_000,
    });
    expect(tomorrow).toMatchObject({ ok: true, day: '2026-11-22' });
  });

  it('counts concessions in percent points or dollars; uncapped metrics still count', async () => {
    expect(concessionUse({ type: 'percent_off', value: 20 })).toEqual({
      metric: 'concession_percent_points',
      amount: 20,
    });
    expect(concessionUse({ type: 'amount_off', value: 500 })).toEqual({ metric: 'concession_usd', amount: 500 });
    expect(concessionUse({ type: 'waived_fee', value: null })).toBeNull();
    const use = { tenantId: 't1', agentId: 'a1', metric: 'concession_percent_points' as const, at: AT };
    expect((await chargeDaily(store, limits, { ...use, amount: 20 })).ok).toBe(true);
    expect(await chargeDaily(store, limits, { ...use, amount: 15 })).toMatchObject({
      ok: false,
      refused: { scope: 'agent', total: 20 },
    });
    expect(await chargeDaily(store, limits, { ...use, metric: 'concession_usd', amount: 1e6 })).toMatchObject({
      ok: true,
      totals: { tenant: 1e6 },
    });
  });
});
