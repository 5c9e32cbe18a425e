import { GuardlineError } from '../errors/index.ts';
import type { SessionMeta } from '../model/index.ts';
import { SESSION_SEQS } from './audit-session-index.ts';
import type { StoreContext } from './context.ts';
import { decisionFromRow, directiveFromRow, sessionFromRow } from './rows.ts';
import { whereClause } from './sql.ts';
import type { DecisionsStore, DirectivesStore, InputsStore, NodesStore, SessionInput, SessionsStore } from './types.ts';

export const INPUT_COLUMNS = ['session_id', 'seq', 'at', 'type', 'payload'] as const;

export function inputValues(input: SessionInput): unknown[] {
  return [input.sessionId, input.seq, input.at, input.type, JSON.stringify(input.payload)];
}

export function sqlSessions({ db, committer }: StoreContext): SessionsStore {
  const get = async (id: string) => {
    const [row] = await db.read.all('SELECT * FROM sessions WHERE id = ?', [id]);
    return row ? sessionFromRow(row) : null;
  };
  return {
    create(meta: SessionMeta, policyVersion: string, at: number, nodeId?: string) {
      return committer.submit(async (tx, chain) => {
        const existing = await tx.all('SELECT id FROM sessions WHERE id = ?', [meta.sessionId]);
        if (existing.length > 0) throw new GuardlineError('GL_STORE_CONFLICT', `Session ${meta.sessionId} exists.`);
        tx.insert(
          'sessions',
          ['id', 'meta', 'policy_version', 'tenant_id', 'agent_id', 'contact_id', 'deal_id', 'started_at', 'node_id'],
          [
            meta.sessionId,
            JSON.stringify(meta),
            policyVersion,
            meta.tenantId,
            meta.agentId,
            meta.contactId ?? null,
            meta.dealId ?? null,
            at,
            nodeId ?? null,
          ],
        );
        chain.append({
          id: `session_started:${meta.sessionId}`,
          at,
          sessionId: meta.sessionId,
          actor: `agent:${meta.agentId}`,
          kind: 'session_started',
          payload: meta,
          policyVersion,
        });
        return { id: meta.sessionId, meta, policyVersion, startedAt: at, endedAt: null, endReason: null };
      });
    },
    async end(id, at, reason) {
      await committer.submit(async (tx, chain) => {
        const changed = await tx.run(
          'UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL',
          [at, reason, id],
        );
        if (changed === 0) return;
        const [row] = await tx.all<{ policy_version: string; agent_id: string }>(
          'SELECT policy_version, agent_id FROM sessions WHERE id = ?',
          [id],
        );
        chain.append({
          id: `session_ended:${id}`,
          at,
          sessionId: id,
          actor: 'system',
          kind: 'session_ended',
          payload: { reason },
          policyVersion: row?.policy_version ?? null,
        });
      });
      return get(id);
    },
    get,
    async listByCrmObject(objectType, id) {
      const column = objectType === 'contact' ? 'contact_id' : 'deal_id';
      const rows = await db.read.all(`SELECT * FROM sessions WHERE ${column} = ? ORDER BY started_at DESC, id`, [id]);
      return rows.map(sessionFromRow);
    },
    async listLive() {
      const rows = await db.read.all('SELECT * FROM sessions WHERE ended_at IS NULL ORDER BY started_at, id');
      return rows.map(sessionFromRow);
    },
    async listOrphaned(seenBefore) {
      const rows = await db.read.all(
        `SELECT s.* FROM sessions s LEFT JOIN runtime_nodes n ON n.id = s.node_id
         WHERE s.ended_at IS NULL AND s.node_id IS NOT NULL AND (n.id IS NULL OR n.seen_at < ?)
         ORDER BY s.started_at, s.id`,
        [seenBefore],
      );
      return rows.map(sessionFromRow);
    },
    async list(filter = {}) {
      const conditions: string[] = [];
      const params: unknown[] = [];
      if (filter.status === 'live') conditions.push('ended_at IS NULL');
      if (filter.status === 'ended') conditions.push('ended_at IS NOT NULL');
      if (filter.tenantId !== undefined) {
        conditions.push('tenant_id = ?');
        params.push(filter.tenantId);
      }
      const rows = await db.read.all(
        `SELECT * FROM sessions${whereClause(conditions)} ORDER BY started_at DESC, id LIMIT ?`,
        [...params, filter.limit ?? 100],
      );
      return rows.map(sessionFromRow);
    },
  };
}

export function sqlInputs({ db, committer }: StoreContext): InputsStore {
  return {
    append(input) {
      return committer.submit(async (tx) => {
        tx.insert('session_inputs', INPUT_COLUMNS, inputValues(input), 'ON CONFLICT DO NOTHING');
      });
    },
    async list(sessionId) {
      const rows = await db.read.all<Record<string, unknown>>(
        'SELECT * FROM session_inputs WHERE session_id = ? ORDER BY seq',
        [sessionId],
      );
      return rows.map((r) => ({
        sessionId: r.session_id as string,
        seq: Number(r.seq),
        at: Number(r.at),
        type: r.type as string,
        payload: JSON.parse(r.payload as string),
      }));
    },
  };
}

export function sqlDecisions({ db }: StoreContext): DecisionsStore {
  return {
    async get(id) {
      // Without a unique index on the id (SQLite), through the bulk index and the decisions after its mark.
      const [row] = await (db.decisionIds
        ? db.read.all(`SELECT payload AS body FROM audit_entries WHERE seq IN (${db.decisionIds.seqsOf})`, [id, id])
        : db.read.all(
            'SELECT a.payload AS body FROM decisions d JOIN audit_entries a ON a.seq = d.audit_seq WHERE d.id = ?',
            [id],
          ));
      return row ? decisionFromRow(row) : null;
    },
    async listBySession(sessionId) {
      // Every decision is recorded with exactly one audit entry of kind 'decision' (sql-record.ts).
      const rows = await db.read.all(
        `SELECT payload AS body FROM audit_entries WHERE seq IN (${SESSION_SEQS}) AND kind = 'decision' ORDER BY seq`,
        [sessionId, sessionId],
      );
      return rows.map(decisionFromRow);
    },
  };
}

export function sqlDirectives({ db }: StoreContext): DirectivesStore {
  return {
    async listBySession(sessionId) {
      const rows = await db.read.all('SELECT body FROM directives WHERE session_id = ? ORDER BY audit_seq', [
        sessionId,
      ]);
      return rows.map(directiveFromRow);
    },
  };
}

export function sqlNodes({ committer }: StoreContext): NodesStore {
  return {
    heartbeat(id, at) {
      return committer.submit(async (tx) => {
        await tx.write(
          'INSERT INTO runtime_nodes (id, started_at, seen_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET seen_at = ?',
          [id, at, at, at],
        );
      });
    },
    leave(id) {
      return committer.submit(async (tx) => {
        await tx.write('DELETE FROM runtime_nodes WHERE id = ?', [id]);
      });
    },
  };
}
