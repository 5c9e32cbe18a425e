/**
 * A proposal whose decision the store cannot record is answered `deny` (law 1), and the session
 * does not keep what it decided either: a role handoff the agent was told was denied leaves the
 * session in its old role, under its old mandate (law 5).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { budgetDay } from '../src/budgets/index.ts';
import { GuardlineAgent } from '../src/client/index.ts';
import { GuardlineError } from '../src/errors/index.ts';
import { canonicalJson } from '../src/model/canonical-json.ts';
import { exportRecording, formatRecording, parseRecording, replayRecording } from '../src/replay/index.ts';
import { UNRECORDED_HOLD_REASON } from '../src/runtime/live-session.ts';
import type { InputWrites } from '../src/store/types.ts';
import { disclosureText, helloSession, startServer, type TestServer } from './server-harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ transcribers: null });
});
afterAll(async () => server?.close());

/** Makes the store fail to record the inputs `fails` picks (after `delayMs`); returns the undo. */
function breakRecord(fails: (writes: InputWrites) => boolean, delayMs = 0): () => void {
  const store = server.gl.store;
  const recordInput = store.recordInput.bind(store);
  store.recordInput = async (writes) => {
    if (!fails(writes)) return recordInput(writes);
    if (delayMs) await sleep(delayMs);
    throw new GuardlineError('GL_STORE_WRITE_FAILED', 'The test broke the disk.');
  };
  return () => {
    store.recordInput = recordInput;
  };
}

const isHandoff = (writes: InputWrites) => writes.items.some((i) => i.decision?.kind === 'role_handoff');

/** A booking-role call whose customer has heard the disclosure and said yes: a handoff may go ahead. */
async function bookingCall(agentId = 'agent-1'): Promise<GuardlineAgent> {
  const a = await GuardlineAgent.connect({
    url: server.url,
    token: await server.agentToken(agentId, ['booking', 'closing']),
    session: helloSession({ role: 'booking' }),
  });
  expect((await a.propose('say', { text: disclosureText() })).outcome).toBe('allow');
  a.transcript('customer', 'Yes, that is fine.');
  return a;
}

describe('a decision the store could not record', () => {
  it('leaves the session as it was: the denied handoff did not change the role', async () => {
    const a = await bookingCall();
    const repair = breakRecord(isHandoff);
    const handoff = await a.propose('role_handoff', { to: 'closing' });
    expect(handoff).toMatchObject({ outcome: 'deny', code: 'GL_STORE_WRITE_FAILED' });
    repair();

    // Still booking, whose mandate has no pricing authority.
    const concession = await a.propose('concession', { type: 'percent_off', value: 5 });
    expect(concession.outcome).toBe('deny');
    expect(concession.rationale.map((r) => r.facts)).toContainEqual(expect.objectContaining({ role: 'booking' }));

    // Nothing is stuck: the same handoff, recorded this time, goes ahead, and closing may discount.
    expect((await a.propose('role_handoff', { to: 'closing' })).outcome).toBe('allow');
    expect((await a.propose('concession', { type: 'percent_off', value: 5 })).outcome).toBe('allow');
    expect(a.directives.map((d) => d.kind)).not.toContain('hold');
    await a.close();

    // The undone proposal used its input number live: the recording says so, and a replay gives
    // every later decision the id (and everything else) the live session gave it.
    const store = server.gl.store;
    await vi.waitFor(async () => expect((await store.sessions.get(a.sessionId))?.endedAt).not.toBeNull());
    const recording = parseRecording(formatRecording(await exportRecording(store, a.sessionId)));
    expect([...(recording.unrecordedBefore ?? [])]).toHaveLength(1);
    const replayed = replayRecording(recording);
    expect(replayed.decisions.map((d) => d.id)).toEqual(recording.decisions.map((d) => d.id));
    expect(canonicalJson(replayed.decisions)).toBe(canonicalJson(recording.decisions));
  });

  it("is not counted against the agent's daily budget: the agent was told deny", async () => {
    const a = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken('agent-unrecorded-budget', ['closing']),
      session: helloSession({ role: 'closing' }),
    });
    expect((await a.propose('say', { text: disclosureText() })).outcome).toBe('allow');
    const repair = breakRecord((writes) => writes.items.some((i) => i.decision?.kind === 'concession'));
    const lost = await a.propose('concession', { type: 'percent_off', value: 5 });
    expect(lost).toMatchObject({ outcome: 'deny', code: 'GL_STORE_WRITE_FAILED' });
    repair();
    expect((await a.propose('concession', { type: 'percent_off', value: 3 })).outcome).toBe('allow');

    const used = () =>
      server.gl.store.budgets.get('agent:agent-unrecorded-budget', 'concession_percent_points', budgetDay(Date.now()));
    await vi.waitFor(async () => expect(await used()).toBe(3));
    await sleep(200);
    expect(await used()).toBe(3);
    await a.close();
  });

  it('holds the session when more came before the failure was known, and no resume lifts that hold', async () => {
    const a = await bookingCall('agent-voided');
    const repair = breakRecord(isHandoff, 100);
    const handoff = a.propose('role_handoff', { to: 'closing' });
    // Applied while the handoff's write is still pending, so the handoff can no longer be undone
    // alone: decided under closing's mandate, which the agent was just told it does not have.
    const later = a.propose('concession', { type: 'percent_off', value: 5 });
    expect(await handoff).toMatchObject({ outcome: 'deny', code: 'GL_STORE_WRITE_FAILED' });
    const voided = await later;
    expect(voided).toMatchObject({ outcome: 'deny', code: 'GL_STORE_WRITE_FAILED' });
    repair();
    // What the agent heard is on record: the deny that voided the concession, after the concession.
    const recorded = await server.gl.store.decisions.listBySession(a.sessionId);
    const concessions = recorded.filter((d) => d.proposalId === voided.proposalId);
    expect(concessions.map((d) => [d.outcome, d.id === voided.id])).toEqual([
      ['allow', false],
      ['deny', true],
    ]);
    // Nor is the voided concession counted against the agent's day.
    await sleep(200);
    expect(
      await server.gl.store.budgets.get('agent:agent-voided', 'concession_percent_points', budgetDay(Date.now())),
    ).toBe(0);

    const hold = await a.directive('hold');
    expect(hold.message).toBe(UNRECORDED_HOLD_REASON);
    const concession = await a.propose('concession', { type: 'percent_off', value: 5 });
    expect(concession).toMatchObject({ outcome: 'deny', rationale: [{ rule: 'control.hold' }] });

    await server.gl.registry.get(a.sessionId)?.submit({ type: 'resume' });
    expect(a.directives.map((d) => d.kind)).not.toContain('resume');
    expect((await a.propose('say', { text: 'One moment please.' })).outcome).toBe('deny');
    expect((await a.propose('end_call', {})).outcome).toBe('allow');
    await a.close();
  });
});
