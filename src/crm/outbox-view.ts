import type { Json, OutboxRow } from '../store/types.ts';

/** One outbox write as `guardline crm outbox` shows it. */
export interface OutboxView {
  id: string;
  status: OutboxRow['status'];
  sessionId: string;
  target: string;
  /** Per property: the value before (when known) and the value written. */
  diff: Record<string, { before: Json | undefined; after: Json }>;
  attempts: number;
  error: string | null;
  hubspotId: string | null;
  updatedAt: string;
}

export function outboxView(row: OutboxRow): OutboxView {
  const diff: OutboxView['diff'] = {};
  for (const [name, after] of Object.entries(row.properties)) {
    diff[name] = { before: row.previous ? (row.previous[name] ?? null) : undefined, after };
  }
  const target =
    row.objectId !== null
      ? `${row.object} ${row.objectId}`
      : `new ${row.object}${row.hubspotId ? ` → ${row.hubspotId}` : ''}`;
  return {
    id: row.id,
    status: row.status,
    sessionId: row.sessionId,
    target,
    diff,
    attempts: row.attempts,
    error: row.lastError,
    hubspotId: row.hubspotId,
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

const show = (v: Json | undefined) => {
  if (v === undefined) return '?';
  const s = v === null ? '(empty)' : typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** Human-readable lines for a list of writes. */
export function formatOutbox(views: readonly OutboxView[]): string {
  if (views.length === 0) return 'no CRM writes';
  const lines: string[] = [];
  for (const v of views) {
    lines.push(
      `${v.id}  ${v.status.toUpperCase()}  ${v.target}  session ${v.sessionId}  attempts ${v.attempts}  ${v.updatedAt}`,
    );
    for (const [name, d] of Object.entries(v.diff)) lines.push(`    ${name}: ${show(d.before)} -> ${show(d.after)}`);
    if (v.status === 'not_configured')
      lines.push('    not sent: HubSpot is not configured (HUBSPOT_ACCESS_TOKEN is not set)');
    else if (v.error) lines.push(`    ${v.status === 'parked' ? 'parked' : 'last error'}: ${v.error}`);
  }
  return lines.join('\n');
}
