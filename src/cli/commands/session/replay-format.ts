import type { ReplayTotals, SessionDiff } from '../../../replay/index.ts';

const UNIT: Record<string, (v: number) => string> = {
  percent: (v) => `${v}% off`,
  usd: (v) => `$${v}`,
  months: (v) => `${v} free month${v === 1 ? '' : 's'}`,
};

/** One session's replay, in lines a manager reads. */
export function formatDiff(d: SessionDiff, mode: 'exact' | 'candidate'): string {
  const head = `${d.sessionId}: ${d.decisions} decision${d.decisions === 1 ? '' : 's'}`;
  if (d.identical) return `${head}, reproduced exactly${mode === 'candidate' ? ' (no change)' : ''}`;
  if (d.changed === 0 && d.timeouts.length === 0) return `${head}, same outcomes`;
  const lines = [`${head}, ${d.changed} changed`];
  for (const f of d.flips)
    lines.push(`  ${f.proposalId} ${f.kind}: ${f.from ?? 'none'} → ${f.to ?? 'none'}${f.rule ? ` (${f.rule})` : ''}`);
  for (const c of d.blockedConcessions)
    lines.push(
      `  concession blocked: ${c.proposalId} ${c.value !== null && c.unit ? UNIT[c.unit]?.(c.value) : c.type} → ${c.to ?? 'not reached'}`,
    );
  for (const t of d.timeouts) {
    const when =
      t.deltaSeconds === null
        ? t.to === null
          ? 'would not fire'
          : 'would fire (did not before)'
        : `${Math.abs(t.deltaSeconds)} s ${t.deltaSeconds < 0 ? 'earlier' : 'later'}`;
    lines.push(`  ${t.rule}: ${when}`);
  }
  return lines.join('\n');
}

export function formatTotals(t: ReplayTotals): string {
  const flips = Object.entries(t.flipsByKind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    `total: ${t.sessions} session${t.sessions === 1 ? '' : 's'}, ${t.decisions} decisions, ${t.changed} changed${flips ? ` (${flips})` : ''}`,
    `  concessions blocked: ${t.blockedConcessions}${t.blockedConcessions ? ` (${t.blockedPercent} percent points, $${t.blockedUsd}, ${t.blockedMonths} free months)` : ''}`,
    `  timeouts: ${t.timeoutsEarlier} earlier, ${t.timeoutsLater} later, ${t.timeoutsAppeared} new, ${t.timeoutsGone} gone`,
  ].join('\n');
}
