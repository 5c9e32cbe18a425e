/** Daily budgets hold across sessions: calls started and concession value per agent, counted in the store. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetDay } from '../src/budgets/index.ts';
import { GuardlineAgent, type GuardlineProtocolError } from '../src/client/index.ts';
import { disclosureText, helloSession, startServer, type TestServer } from './server-harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    policy: (dir) => {
      const text = readFileSync(new URL('./fixtures/policies/short-timeouts.yaml', import.meta.url), 'utf8')
        .replace(/concession_percent_points: \d+/, 'concession_percent_points: 12')
        .replace(/calls: \d+/, 'calls: 2');
      const file = path.join(dir, 'budgets.yaml');
      writeFileSync(file, text);
      return file;
    },
  });
});
afterAll(async () => {
  await server?.close();
});

async function disclosedAgent(agentId: string) {
  const a = await GuardlineAgent.connect({
    url: server.url,
    token: await server.agentToken(agentId),
    session: helloSession(),
  });
  expect((await a.propose('say', { text: disclosureText() })).outcome).toBe('allow');
  return a;
}

async function counted(agentId: string, metric: 'concession_percent_points' | 'calls', value: number) {
  const day = budgetDay(Date.now());
  for (let i = 0; i < 100; i++) {
    if ((await server.gl.store.budgets.get(`agent:${agentId}`, metric, day)) === value) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${metric} never reached ${value}`);
}

describe('daily budgets across sessions', () => {
  it('counts concessions across an agent’s calls, and refuses calls past the cap', async () => {
    const first = await disclosedAgent('budget-agent');
    expect((await first.propose('concession', { type: 'percent_off', value: 10 })).outcome).toBe('allow');
    await counted('budget-agent', 'concession_percent_points', 10);

    const second = await disclosedAgent('budget-agent');
    const d = await second.propose('concession', { type: 'percent_off', value: 5 });
    expect(d.outcome).toBe('needs_approval');
    expect(d.rationale[0]).toMatchObject({ rule: 'budget.daily_cap', facts: { remaining: 2, asked: 5 } });
    // The first call is held to what is left today as well.
    expect((await first.propose('concession', { type: 'percent_off', value: 3 })).outcome).toBe('needs_approval');

    await counted('budget-agent', 'calls', 2);
    const third = GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken('budget-agent'),
      session: helloSession(),
    });
    expect(
      await third.then(
        () => null,
        (e: GuardlineProtocolError) => e.code,
      ),
    ).toBe('GL_BUDGET_EXCEEDED');

    const other = await disclosedAgent('another-agent');
    expect((await other.propose('concession', { type: 'percent_off', value: 5 })).outcome).toBe('allow');
    await Promise.all([first.close(), second.close(), other.close()]);
  });

  it('does not count a refused hello for a session id recorded before against the call cap', async () => {
    const session = helloSession();
    const token = await server.agentToken('reuse-agent');
    const a = await GuardlineAgent.connect({ url: server.url, token, session });
    a.event('call_ended');
    await a.close();
    await expect.poll(() => server.gl.registry.get(a.sessionId)).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      await expect(GuardlineAgent.connect({ url: server.url, token, session })).rejects.toMatchObject({
        code: 'GL_SESSION_CONFLICT',
      });
    }
    expect(await server.gl.store.budgets.get('agent:reuse-agent', 'calls', budgetDay(Date.now()))).toBe(1);
    const b = await GuardlineAgent.connect({ url: server.url, token, session: helloSession() });
    await b.close();
  });
});
