import type { Decision } from '../model/index.ts';
import { json, num, numOrNull, type StoreContext } from './context.ts';
import type { Json, PublicationRow, PublicationsStore, ShadowStore, SuspensionRow, SuspensionsStore } from './types.ts';

type R = Record<string, unknown>;

const actorOf = (who: string): string => (who.includes(':') ? who : `human:${who}`);

function publicationFromRow(r: R): PublicationRow {
  return {
    versionId: r.version_id as string,
    requestedBy: r.requested_by as string,
    reason: r.reason as string,
    requestedAt: num(r.requested_at),
    status: r.status as PublicationRow['status'],
    decidedBy: (r.decided_by as string | null) ?? null,
    decidedAt: numOrNull(r.decided_at),
  };
}

function suspensionFromRow(r: R): SuspensionRow {
  return {
    id: r.id as string,
    scope: r.scope as SuspensionRow['scope'],
    target: r.target as string,
    action: r.action as SuspensionRow['action'],
    tenantId: (r.tenant_id as string | null) ?? null,
    reason: r.reason as string,
    createdBy: r.created_by as string,
    createdAt: num(r.created_at),
    liftedBy: (r.lifted_by as string | null) ?? null,
    liftedAt: numOrNull(r.lifted_at),
    liftReason: (r.lift_reason as string | null) ?? null,
  };
}

/** Publications waiting for a second manager. */
export function sqlPublications({ db, committer }: StoreContext): PublicationsStore {
  const get = async (versionId: string) => {
    const [row] = await db.read.all('SELECT * FROM policy_publications WHERE version_id = ?', [versionId]);
    return row ? publicationFromRow(row) : null;
  };
  return {
    request(req) {
      return committer.submit(async (tx, chain) => {
        await tx.run('DELETE FROM policy_publications WHERE version_id = ?', [req.versionId]);
        const row: PublicationRow = { ...req, status: 'pending', decidedBy: null, decidedAt: null };
        await tx.run(
          `INSERT INTO policy_publications (version_id, requested_by, reason, requested_at, status)
           VALUES (?, ?, ?, ?, 'pending')`,
          [req.versionId, req.requestedBy, req.reason, req.requestedAt],
        );
        chain.append({
          id: `policy_publication_requested:${req.versionId}:${req.requestedAt}`,
          at: req.requestedAt,
          sessionId: null,
          actor: actorOf(req.requestedBy),
          kind: 'policy_publication_requested',
          payload: { version: req.versionId, reason: req.reason },
          policyVersion: req.versionId,
        });
        return row;
      });
    },
    get,
    async listPending() {
      const rows = await db.read.all(
        "SELECT * FROM policy_publications WHERE status = 'pending' ORDER BY requested_at, version_id",
      );
      return rows.map(publicationFromRow);
    },
    decide(versionId, by) {
      return committer.submit(async (tx, chain) => {
        const status = by.approve ? 'approved' : 'rejected';
        const changed = await tx.run(
          `UPDATE policy_publications SET status = ?, decided_by = ?, decided_at = ?
           WHERE version_id = ? AND status = 'pending'`,
          [status, by.actor, by.at, versionId],
        );
        if (changed === 0) return null;
        chain.append({
          id: `policy_publication_decided:${versionId}:${by.at}`,
          at: by.at,
          sessionId: null,
          actor: actorOf(by.actor),
          kind: 'policy_publication_decided',
          payload: { version: versionId, status },
          policyVersion: versionId,
        });
        const [row] = await tx.all('SELECT * FROM policy_publications WHERE version_id = ?', [versionId]);
        return row ? publicationFromRow(row) : null;
      });
    },
  };
}

/** The kill switch's record: every suspension and its lifting, both audited. */
export function sqlSuspensions({ db, committer }: StoreContext): SuspensionsStore {
  const get = async (id: string) => {
    const [row] = await db.read.all('SELECT * FROM suspensions WHERE id = ?', [id]);
    return row ? suspensionFromRow(row) : null;
  };
  return {
    create(s) {
      return committer.submit(async (tx, chain) => {
        await tx.run(
          `INSERT INTO suspensions (id, scope, target, action, tenant_id, reason, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [s.id, s.scope, s.target, s.action, s.tenantId, s.reason, s.createdBy, s.createdAt],
        );
        chain.append({
          id: `suspension_set:${s.id}`,
          at: s.createdAt,
          sessionId: null,
          actor: actorOf(s.createdBy),
          kind: 'suspension_set',
          payload: {
            id: s.id,
            scope: s.scope,
            target: s.target,
            action: s.action,
            reason: s.reason,
            ...(s.tenantId ? { tenantId: s.tenantId } : {}),
          },
          policyVersion: null,
        });
        return s;
      });
    },
    lift(id, by) {
      return committer.submit(async (tx, chain) => {
        const changed = await tx.run(
          'UPDATE suspensions SET lifted_by = ?, lifted_at = ?, lift_reason = ? WHERE id = ? AND lifted_at IS NULL',
          [by.actor, by.at, by.reason, id],
        );
        if (changed === 0) return null;
        const [row] = await tx.all('SELECT * FROM suspensions WHERE id = ?', [id]);
        const lifted = row ? suspensionFromRow(row) : null;
        chain.append({
          id: `suspension_lifted:${id}`,
          at: by.at,
          sessionId: null,
          actor: actorOf(by.actor),
          kind: 'suspension_lifted',
          payload: { id, reason: by.reason, scope: lifted?.scope ?? null, target: lifted?.target ?? null },
          policyVersion: null,
        });
        return lifted;
      });
    },
    get,
    async listActive() {
      const rows = await db.read.all('SELECT * FROM suspensions WHERE lifted_at IS NULL ORDER BY created_at, id');
      return rows.map(suspensionFromRow);
    },
    async list(limit = 100) {
      const rows = await db.read.all('SELECT * FROM suspensions ORDER BY created_at DESC, id LIMIT ?', [limit]);
      return rows.map(suspensionFromRow);
    },
  };
}

/** Shadow mode's record: the candidate, the sessions it shadowed and every decision it made. */
export function sqlShadow({ db, committer }: StoreContext): ShadowStore {
  return {
    async setCandidate(versionId, by) {
      await committer.submit(async (tx, chain) => {
        const [before] = await tx.all<{ version_id: string }>('SELECT version_id FROM shadow_candidate WHERE id = 1');
        await tx.run('DELETE FROM shadow_candidate WHERE id = 1');
        if (versionId !== null)
          await tx.run('INSERT INTO shadow_candidate (id, version_id, started_at) VALUES (1, ?, ?)', [
            versionId,
            by.at,
          ]);
        chain.append({
          id: `shadow:${versionId ?? 'none'}:${by.at}`,
          at: by.at,
          sessionId: null,
          actor: actorOf(by.actor),
          kind: versionId === null ? 'shadow_stopped' : 'shadow_started',
          payload: { version: versionId ?? before?.version_id ?? null, reason: by.reason } as Json,
          policyVersion: versionId,
        });
      });
    },
    async getCandidate() {
      const [row] = await db.read.all('SELECT * FROM shadow_candidate WHERE id = 1');
      return row ? { versionId: row.version_id as string, startedAt: num(row.started_at) } : null;
    },
    async addSession(candidate, sessionId, at) {
      await committer.submit(async (tx) => {
        tx.insert(
          'shadow_sessions',
          ['candidate', 'session_id', 'started_at'],
          [candidate, sessionId, at],
          'ON CONFLICT DO NOTHING',
        );
      });
    },
    async addDecisions(candidate, sessionId, decisions) {
      if (decisions.length === 0) return;
      await committer.submit(async (tx) => {
        for (const { ord, decision } of decisions)
          tx.insert(
            'shadow_decisions',
            ['candidate', 'session_id', 'decision_id', 'ord', 'at', 'outcome', 'body'],
            [candidate, sessionId, decision.id, ord, decision.at, decision.outcome, JSON.stringify(decision)],
            'ON CONFLICT DO NOTHING',
          );
      });
    },
    async listSessions(candidate) {
      const rows = await db.read.all<{ session_id: string }>(
        'SELECT session_id FROM shadow_sessions WHERE candidate = ? ORDER BY started_at, session_id',
        [candidate],
      );
      return rows.map((r) => r.session_id);
    },
    async listDecisions(candidate, sessionId) {
      const rows = await db.read.all(
        'SELECT body FROM shadow_decisions WHERE candidate = ? AND session_id = ? ORDER BY ord',
        [candidate, sessionId],
      );
      return rows.map((r) => json(r.body) as Decision);
    },
  };
}
