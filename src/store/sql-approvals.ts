import type { StoreContext } from './context.ts';
import { approvalFromRow, overrideFromRow } from './rows.ts';
import { forUpdate, jsonMember, whereClause } from './sql.ts';
import type { ApprovalsStore, OverridesStore } from './types.ts';

export function sqlApprovals(ctx: StoreContext): ApprovalsStore {
  const { db, committer } = ctx;
  return {
    async get(id) {
      const [row] = await db.read.all('SELECT * FROM approvals WHERE id = ?', [id]);
      return row ? approvalFromRow(row) : null;
    },
    async listBySession(sessionId) {
      const rows = await db.read.all('SELECT * FROM approvals WHERE session_id = ? ORDER BY created_at, id', [
        sessionId,
      ]);
      return rows.map(approvalFromRow);
    },
    async listPending() {
      const rows = await db.read.all("SELECT * FROM approvals WHERE status = 'pending' ORDER BY deadline, id");
      return rows.map(approvalFromRow);
    },
    async list(filter = {}) {
      const conditions: string[] = [];
      const params: unknown[] = [];
      if (filter.status) {
        conditions.push('status = ?');
        params.push(filter.status);
      }
      if (filter.tenantId !== undefined) {
        // The tenant is in the row's body (the session's tenant when it was requested).
        conditions.push(`${jsonMember(db.dialect, 'body', 'tenantId')} = ?`);
        params.push(filter.tenantId);
      }
      const rows = await db.read.all(
        `SELECT * FROM approvals${whereClause(conditions)} ORDER BY created_at DESC, id LIMIT ?`,
        [...params, filter.limit ?? 100],
      );
      return rows.map(approvalFromRow);
    },
    async listDue(now) {
      const rows = await db.read.all(
        "SELECT * FROM approvals WHERE status = 'pending' AND deadline <= ? ORDER BY deadline, id",
        [now],
      );
      return rows.map(approvalFromRow);
    },
    update(next, expectVersion, audit, override) {
      return committer.submit(async (tx, chain) => {
        const version = expectVersion + 1;
        const changed = await tx.run(
          'UPDATE approvals SET status = ?, version = ?, body = ? WHERE id = ? AND version = ?',
          [next.status, version, JSON.stringify({ ...next, version }), next.id, expectVersion],
        );
        if (changed === 0) return false;
        if (override) {
          tx.insert(
            'overrides',
            ['id', 'approval_id', 'session_id', 'kind', 'params_hash', 'bound', 'expires_at', 'created_at'],
            [
              override.id,
              override.approvalId,
              override.sessionId,
              override.kind,
              override.paramsHash,
              JSON.stringify(override.bound),
              override.expiresAt,
              override.createdAt,
            ],
          );
        }
        chain.append(audit);
        await ctx.publish(tx, {
          type: 'approval',
          approvalId: next.id,
          status: next.status,
          sessionId: next.sessionId,
        });
        return true;
      });
    },
  };
}

export function sqlOverrides({ db, committer }: StoreContext): OverridesStore {
  return {
    async get(id) {
      const [row] = await db.read.all('SELECT * FROM overrides WHERE id = ?', [id]);
      return row ? overrideFromRow(row) : null;
    },
    consume(id, use, judge) {
      return committer.submit(async (tx, chain) => {
        const [raw] = await tx.all(`SELECT * FROM overrides WHERE id = ?${forUpdate(db.dialect)}`, [id]);
        const row = raw ? overrideFromRow(raw) : null;
        const verdict = judge(row);
        let consumed = verdict.allowed && row !== null && row.usedAt === null;
        if (consumed) {
          const changed = await tx.run(
            'UPDATE overrides SET used_at = ?, used_by_decision = ? WHERE id = ? AND used_at IS NULL',
            [use.now, use.decisionId, id],
          );
          consumed = changed === 1;
        }
        chain.append(verdict.audit);
        return { consumed, row };
      });
    },
  };
}
