import { ApprovalService } from '../approvals/index.ts';
import { GuardlineAgent } from '../client/index.ts';
import type { Decision } from '../model/index.ts';
import type { Recording } from '../replay/recording.ts';
import type { Store } from '../store/types.ts';
import type { DecisionTable } from './table.ts';

export interface PlayOptions {
  url: string;
  token: string;
  store: Store;
  table: DecisionTable;
  /** Recorded time is divided by this (default 20), each pause capped at `maxPauseMs`. */
  speedup?: number;
  maxPauseMs?: number;
  /** Makes the session id unique per run (the store keeps every session). */
  suffix: string;
  /** An IANA zone where it is daytime now, for outbound calls and messages (calling hours apply to them). */
  daytimeZone: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function describe(kind: string, params: unknown): string {
  const p = (params ?? {}) as Record<string, unknown>;
  if (kind === 'concession') return `concession ${p.value ?? ''}${p.type === 'percent_off' ? '%' : ''}`;
  if (kind === 'crm_write') return `crm_write ${String(p.object)}`;
  return kind;
}

/**
 * Plays one recording over the real agent protocol: its transcript lines, proposals and events in
 * order with the timing compressed; an approval in the recording is given by a manager through
 * the approvals service. Prints each decision and directive as it arrives.
 */
export async function playRecording(recording: Recording, o: PlayOptions): Promise<Decision[]> {
  const meta = recording.header.meta;
  const call = meta.sessionId.replace(/^demo-/, '');
  const sessionId = `${meta.sessionId}-${o.suffix}`;
  const agent = await GuardlineAgent.connect({
    url: o.url,
    token: o.token,
    session: {
      sessionId,
      callId: sessionId,
      channel: meta.channel,
      direction: meta.direction,
      role: meta.role,
      jurisdiction: meta.jurisdiction,
      // Calling hours apply to outbound calls and to every message: play them where it is daytime,
      // so the demo shows the same decisions at any hour.
      timezone: meta.direction === 'outbound' || meta.channel === 'message' ? o.daytimeZone : meta.timezone,
      ...(meta.contactId ? { contactId: meta.contactId } : {}),
      ...(meta.dealId ? { dealId: meta.dealId } : {}),
    },
  });
  agent.on('directive', (d) => o.table.directive(call, d));
  const decisions: Decision[] = [];
  const labels = new Map<string, string>();
  agent.on('decision', (d) => {
    decisions.push(d);
    o.table.decision(call, d, labels.get(d.proposalId) ?? d.kind);
  });
  const approvals = new ApprovalService(o.store);
  const speedup = o.speedup ?? 20;
  let last = recording.inputs[0]?.at ?? 0;
  for (const input of recording.inputs) {
    await sleep(Math.min(o.maxPauseMs ?? 400, Math.max(0, input.at - last) / speedup));
    last = input.at;
    switch (input.type) {
      case 'transcript':
        if (input.isFinal) o.table.note(call, `${input.speaker} says`, `"${input.text}"`);
        agent.transcript(input.speaker, input.text, { isFinal: input.isFinal, confidence: input.confidence });
        break;
      case 'propose': {
        const p = input.proposal as { id: string; kind: string; params: unknown };
        labels.set(p.id, describe(p.kind, p.params));
        await agent.propose(p.kind, p.params, { id: p.id });
        break;
      }
      case 'event':
        if (input.event === 'voicemail' || input.event === 'call_ended' || input.event === 'transfer_completed')
          agent.event(input.event);
        if (input.event === 'call_ended') await sleep(100);
        break;
      case 'approval': {
        const held = [...decisions].reverse().find((d) => d.outcome === 'needs_approval' && d.approval);
        if (!held?.approval) break;
        o.table.note(call, 'manager approves', `${held.approval.reason} (approval ${held.approval.id})`);
        await approvals.approve(
          held.approval.id,
          { id: 'demo-manager', roles: ['approver', 'manager'] },
          'good customer',
          Date.now(),
        );
        await agent.waitFor(
          (m) => m.type === 'decision' && m.proposalId === held.proposalId && m.decision.outcome !== 'needs_approval',
        );
        break;
      }
      default:
        break;
    }
  }
  await agent.close();
  return decisions;
}
