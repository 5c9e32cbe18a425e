import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { mintToken } from '../auth/index.ts';
import { GuardlineAgent } from '../client/index.ts';
import type { Config } from '../config/index.ts';
import { GuardlineError } from '../errors/index.ts';
import type { Policy } from '../policy/index.ts';

/** One scripted step: what the sample agent or customer does next. */
export type SampleStep =
  | { do: 'say'; text: string }
  | { do: 'hear'; text: string }
  | { do: 'concession'; percent: number; id: string }
  | { do: 'await_approval' }
  | { do: 'end' };

/**
 * The built-in sample call: a closing agent discloses, is asked for a discount, offers 5% (within
 * its bounds), is pushed to 20% (held for a manager's approval: approve or deny it in the console),
 * slips into pressure ("only today", denied), then waits for the approval and ends the call.
 */
export function sampleScript(policy: Policy): SampleStep[] {
  return [
    { do: 'say', text: policy.consent.disclosure_text },
    { do: 'hear', text: "Sure, that's fine." },
    { do: 'say', text: 'Thanks! I see your team is looking at the Growth plan for twelve seats.' },
    { do: 'hear', text: "It's a bit expensive for us. Can you do anything on price?" },
    { do: 'concession', percent: 5, id: 'sample-5-off' },
    { do: 'hear', text: "We'd need more like twenty percent to sign this quarter." },
    { do: 'concession', percent: 20, id: 'sample-20-off' },
    { do: 'say', text: 'You have to decide now, this price is only available today.' },
    { do: 'await_approval' },
    { do: 'say', text: 'Thanks for your time. I will send the quote by email.' },
    { do: 'end' },
  ];
}

export interface SampleCallOptions {
  url: string;
  config: Config;
  policy: Policy;
  logger: Logger;
  /** Milliseconds between steps (compressed timing; default 700). */
  stepMs?: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Plays the sample call through the real agent protocol client against this server. Resolves
 * with the session id once the session is open; the call then plays on in the background.
 */
export async function playSampleCall(options: SampleCallOptions): Promise<{ sessionId: string; done: Promise<void> }> {
  const { config, policy, logger } = options;
  if (config.jwt.kind !== 'secret') throw new GuardlineError('GL_CONSOLE_SAMPLE_UNAVAILABLE');
  const token = await mintToken(
    config.jwt.secret,
    { kind: 'agent', agentId: 'sample-agent', tenantId: 'sample', roles: ['closing'] },
    { ttlSeconds: 15 * 60, issuer: config.jwtIssuer },
  );
  const callId = `sample-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 6)}`;
  const agent = await GuardlineAgent.connect({
    url: options.url,
    token,
    session: {
      callId,
      channel: 'voice',
      direction: 'inbound',
      role: 'closing',
      jurisdiction: 'NY',
      timezone: 'America/New_York',
    },
  });
  const stepMs = options.stepMs ?? 700;
  const done = runScript(agent, sampleScript(policy), policy, stepMs)
    .catch((e) => logger.warn({ err: e, sessionId: agent.sessionId }, 'the sample call stopped early'))
    .finally(() => agent.close());
  return { sessionId: agent.sessionId, done };
}

async function runScript(agent: GuardlineAgent, steps: SampleStep[], policy: Policy, stepMs: number): Promise<void> {
  let ended = false;
  agent.on('directive', (d) => {
    if (d.kind === 'end_call') ended = true;
  });
  agent.on('close', () => {
    ended = true;
  });
  let held: string | null = null;
  for (const step of steps) {
    if (ended) return;
    await pause(stepMs);
    switch (step.do) {
      case 'say':
        await agent.propose('say', { text: step.text });
        break;
      case 'hear':
        agent.transcript('customer', step.text);
        break;
      case 'concession': {
        const d = await agent.propose('concession', { type: 'percent_off', value: step.percent }, { id: step.id });
        if (d.outcome === 'needs_approval' && d.approval) held = d.approval.id;
        break;
      }
      case 'await_approval':
        if (held) await waitForApproval(agent, held, policy, () => ended);
        break;
      case 'end':
        await agent.propose('end_call', { reason: 'sample call finished' });
        agent.event('call_ended');
        break;
    }
  }
}

/** Keeps the line alive (the silence timer) until the held request is answered or falls back. */
async function waitForApproval(agent: GuardlineAgent, approvalId: string, policy: Policy, ended: () => boolean) {
  const { approval_wait_seconds: wait, silence_seconds: silence } = policy.timeouts;
  const keepAliveMs = Math.max(500, Math.min(5_000, (silence * 1000) / 3));
  const answered = agent
    .waitFor((m) => m.type === 'approval_result' && m.approvalId === approvalId, (wait + 5) * 1000)
    .then(
      () => true,
      () => false,
    );
  let settled = false;
  void answered.then(() => {
    settled = true;
  });
  while (!settled && !ended()) {
    agent.transcript('agent', 'Thanks for your patience, I am still checking with my manager.');
    await Promise.race([answered, pause(keepAliveMs)]);
  }
  // Let the held proposal's final decision arrive before the next step.
  await pause(300);
}
