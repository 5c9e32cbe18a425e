import { GuardlineError } from '../errors/index.ts';
import type { StoreContext } from './context.ts';
import { policyFromRow } from './rows.ts';
import type { BudgetsStore, PoliciesStore } from './types.ts';

function actorOf(who: string): string {
  return who.includes(':') ? who : `human:${who}`;
}

export function sqlPolicies({ db, committer }: StoreContext): PoliciesStore {
  const get = async (id: string) => {
    const [row] = await db.read.all('SELECT * FROM policy_versions WHERE id = ?', [id]);
    return row ? policyFromRow(row) : null;
  };
  return {
    create(version) {
      return committer.submit(async (tx, chain) => {
        const [existing] = await tx.all('SELECT * FROM policy_versions WHERE id = ?', [version.id]);
        if (existing) {
          const row = policyFromRow(existing);
          if (row.contentHash === version.contentHash) return row;
          throw new GuardlineError('GL_STORE_CONFLICT', `Policy version ${version.id} exists with other content.`);
        }
        tx.insert(
          'policy_versions',
          ['id', 'label', 'content_hash', 'yaml', 'author', 'reason', 'created_at', 'parent'],
          [
            version.id,
            version.label,
            version.contentHash,
            version.yaml,
            version.author,
            version.reason,
            version.createdAt,
            version.parent,
          ],
        );
        const { yaml: _yaml, ...summary } = version;
        chain.append({
          id: `policy_created:${version.id}`,
          at: version.createdAt,
          sessionId: null,
          actor: actorOf(version.author),
          kind: 'policy_created',
          payload: summary,
          policyVersion: version.id,
        });
        return version;
      });
    },
    get,
    async list() {
      const rows = await db.read.all('SELECT * FROM policy_versions ORDER BY created_at, id');
      return rows.map(policyFromRow);
    },
    async setActive(id, by) {
      await committer.submit(async (tx, chain) => {
        const [exists] = await tx.all('SELECT id FROM policy_versions WHERE id = ?', [id]);
        if (!exists) throw new GuardlineError('GL_STORE_NOT_FOUND', `No policy version ${id}.`);
        const [before] = await tx.all<{ version_id: string }>('SELECT version_id FROM policy_active WHERE id = 1');
        await tx.run(
          `INSERT INTO policy_active (id, version_id, activated_at) VALUES (1, ?, ?)
           ON CONFLICT (id) DO UPDATE SET version_id = excluded.version_id, activated_at = excluded.activated_at`,
          [id, by.at],
        );
        chain.append({
          id: `policy_activated:${id}:${by.at}:${before?.version_id ?? 'none'}`,
          at: by.at,
          sessionId: null,
          actor: actorOf(by.actor),
          kind: 'policy_activated',
          payload: { id, previous: before?.version_id ?? null, reason: by.reason },
          policyVersion: id,
        });
      });
    },
    async getActive() {
      const [row] = await db.read.all<{ version_id: string }>('SELECT version_id FROM policy_active WHERE id = 1');
      return row ? get(row.version_id) : null;
    },
  };
}

const CHARGE = `INSERT INTO budget_counters (scope, metric, day, value)
  SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS DOUBLE PRECISION)
  WHERE CAST(? AS DOUBLE PRECISION) <= CAST(? AS DOUBLE PRECISION)
  ON CONFLICT (scope, metric, day) DO UPDATE SET value = budget_counters.value + excluded.value
  WHERE budget_counters.value + excluded.value <= CAST(? AS DOUBLE PRECISION)
  RETURNING value`;

export function sqlBudgets({ db, committer, publish }: StoreContext): BudgetsStore {
  const read = async (tx: { all: typeof db.read.all }, scope: string, metric: string, day: string) => {
    const [row] = await tx.all<{ value: number }>(
      'SELECT value FROM budget_counters WHERE scope = ? AND metric = ? AND day = ?',
      [scope, metric, day],
    );
    return row ? Number(row.value) : 0;
  };
  return {
    charge(charges) {
      return committer.submit(async (tx) => {
        const totals: number[] = [];
        for (const [i, c] of charges.entries()) {
          const rows = await tx.all<{ value: number }>(CHARGE, [
            c.scope,
            c.metric,
            c.day,
            c.amount,
            c.amount,
            c.cap,
            c.cap,
          ]);
          if (rows.length === 0) {
            // Undo the charges already applied in this call: all or none.
            for (const done of charges.slice(0, i)) {
              await tx.run('UPDATE budget_counters SET value = value - ? WHERE scope = ? AND metric = ? AND day = ?', [
                done.amount,
                done.scope,
                done.metric,
                done.day,
              ]);
            }
            const current = await Promise.all(charges.map((x) => read(tx, x.scope, x.metric, x.day)));
            return { ok: false, totals: current, refused: c };
          }
          totals.push(Number(rows[0]?.value));
        }
        const moved = charges.map((c) => ({ scope: c.scope, metric: c.metric, day: c.day }));
        await publish(tx, { type: 'budget', charges: moved });
        return { ok: true, totals };
      });
    },
    get: (scope, metric, day) => read(db.read, scope, metric, day),
  };
}
