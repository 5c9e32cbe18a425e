import { tenantVisible } from '../auth/index.ts';
import { compareRuns, type DecisionChange, proposalParams, type ReplayTotals, totalsOf } from '../replay/compare.ts';
import type { Store } from '../store/types.ts';

export interface ShadowReport {
  candidate: string;
  totals: ReplayTotals & { shadowDecisions: number };
  /** Sessions where the candidate decided differently, with the differing decisions as examples. */
  sessions: { sessionId: string; changed: number; examples: DecisionChange[]; blocked: number }[];
}

/**
 * Where the shadow (candidate) and the active version differed, from what the store recorded; with
 * `tenantId`, over that tenant's sessions only (what a user of that tenant may see).
 */
export async function shadowReport(
  store: Store,
  candidate: string,
  options: { tenantId?: string | undefined; examplesPerSession?: number } = {},
): Promise<ShadowReport> {
  const { tenantId, examplesPerSession = 5 } = options;
  const ids = await store.shadow.listSessions(candidate);
  const diffs = [];
  let shadowDecisions = 0;
  for (const id of ids) {
    if (tenantId !== undefined && !tenantVisible({ tenantId }, (await store.sessions.get(id))?.meta.tenantId)) continue;
    const [active, shadow, inputs] = await Promise.all([
      store.decisions.listBySession(id),
      store.shadow.listDecisions(candidate, id),
      store.inputs.list(id),
    ]);
    shadowDecisions += shadow.length;
    const params = proposalParams(inputs.map((i) => i.payload as { type: string; proposal?: unknown }));
    diffs.push(compareRuns(id, { decisions: active, directives: [] }, { decisions: shadow, directives: [] }, params));
  }
  return {
    candidate,
    totals: { ...totalsOf(diffs), shadowDecisions },
    sessions: diffs
      .filter((d) => d.changed > 0)
      .map((d) => ({
        sessionId: d.sessionId,
        changed: d.changed,
        examples: d.flips.slice(0, examplesPerSession),
        blocked: d.blockedConcessions.length,
      })),
  };
}

export function formatShadowReport(r: ShadowReport): string {
  const t = r.totals;
  const lines = [
    `shadow ${r.candidate}: ${t.sessions} sessions, ${t.decisions} active decisions, ${t.shadowDecisions} shadow decisions, ${t.changed} differ`,
  ];
  const flips = Object.entries(t.flipsByKind).map(([k, n]) => `${k} ${n}`);
  if (flips.length) lines.push(`  flips: ${flips.join(', ')}`);
  if (t.blockedConcessions)
    lines.push(
      `  concessions the candidate would block: ${t.blockedConcessions} (${t.blockedPercent} percent points, $${t.blockedUsd})`,
    );
  for (const s of r.sessions) {
    lines.push(`  ${s.sessionId}: ${s.changed} differ`);
    for (const f of s.examples)
      lines.push(
        `    ${f.proposalId} ${f.kind}: ${f.from ?? 'none'} → ${f.to ?? 'none'}${f.rule ? ` (${f.rule})` : ''}`,
      );
  }
  return lines.join('\n');
}
