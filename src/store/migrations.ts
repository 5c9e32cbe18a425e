import { GuardlineError } from '../errors/index.ts';
import type { Dialect, SqlDb } from './sql.ts';

/**
 * The schema, as one ordered list both backends run. Portable SQL only: TEXT, BIGINT, INTEGER,
 * DOUBLE PRECISION; JSON is stored as canonical JSON text; times are epoch milliseconds. Three
 * tokens differ by dialect, for speed on the hot path: {{SEQ_PRIMARY_KEY}} and
 * {{AUDIT_SEQ_PRIMARY_KEY}} (SQLite: the rowid itself) and {{WITHOUT_ROWID}} (SQLite: a table
 * clustered on its primary key).
 * A migration whose `sql` differs by more than those tokens gives one script per dialect.
 * Never edit a migration that has shipped: append a new one.
 */
export const MIGRATIONS: readonly { id: string; sql: string | Record<Dialect, string> }[] = [
  {
    id: '001_core',
    sql: `
CREATE TABLE sessions (
  id TEXT PRIMARY KEY, meta TEXT NOT NULL, policy_version TEXT NOT NULL,
  tenant_id TEXT NOT NULL, agent_id TEXT NOT NULL, contact_id TEXT, deal_id TEXT,
  started_at BIGINT NOT NULL, ended_at BIGINT, end_reason TEXT);
CREATE INDEX sessions_contact ON sessions (contact_id);
CREATE INDEX sessions_deal ON sessions (deal_id);
CREATE INDEX sessions_live ON sessions (ended_at);
CREATE TABLE session_inputs (
  session_id TEXT NOT NULL, seq BIGINT NOT NULL, at BIGINT NOT NULL, type TEXT NOT NULL,
  payload TEXT NOT NULL, PRIMARY KEY (session_id, seq));
CREATE TABLE decisions (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL, proposal_id TEXT NOT NULL, kind TEXT NOT NULL,
  outcome TEXT NOT NULL, at BIGINT NOT NULL, audit_seq BIGINT NOT NULL, body TEXT NOT NULL){{WITHOUT_ROWID}};
CREATE INDEX decisions_session ON decisions (session_id, audit_seq);
CREATE TABLE directives (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL, kind TEXT NOT NULL, at BIGINT NOT NULL,
  audit_seq BIGINT NOT NULL, body TEXT NOT NULL);
CREATE INDEX directives_session ON directives (session_id, audit_seq);
CREATE TABLE approvals (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL, decision_id TEXT NOT NULL, status TEXT NOT NULL,
  deadline BIGINT NOT NULL, version BIGINT NOT NULL, created_at BIGINT NOT NULL, body TEXT NOT NULL);
CREATE INDEX approvals_status ON approvals (status, deadline);
CREATE INDEX approvals_session ON approvals (session_id);
CREATE TABLE overrides (
  id TEXT PRIMARY KEY, approval_id TEXT NOT NULL, session_id TEXT NOT NULL, kind TEXT NOT NULL,
  params_hash TEXT NOT NULL, bound TEXT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT,
  used_by_decision TEXT, created_at BIGINT NOT NULL);
CREATE TABLE outbox (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL, decision_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE, object TEXT NOT NULL, object_id TEXT,
  properties TEXT NOT NULL, previous TEXT, status TEXT NOT NULL, attempts BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL, last_error TEXT, hubspot_id TEXT, lease_until BIGINT,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_session ON outbox (session_id);
CREATE TABLE policy_versions (
  id TEXT PRIMARY KEY, label TEXT NOT NULL, content_hash TEXT NOT NULL, yaml TEXT NOT NULL,
  author TEXT NOT NULL, reason TEXT NOT NULL, created_at BIGINT NOT NULL, parent TEXT);
CREATE TABLE policy_active (id INTEGER PRIMARY KEY, version_id TEXT NOT NULL, activated_at BIGINT NOT NULL);
CREATE TABLE budget_counters (
  scope TEXT NOT NULL, metric TEXT NOT NULL, day TEXT NOT NULL, value DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (scope, metric, day));
CREATE TABLE audit_entries (
  {{SEQ_PRIMARY_KEY}}, id TEXT NOT NULL, at BIGINT NOT NULL, session_id TEXT, actor TEXT NOT NULL,
  kind TEXT NOT NULL, payload TEXT NOT NULL, policy_version TEXT, body_hash TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX audit_entries_session ON audit_entries (session_id, seq);
CREATE TABLE audit_signatures (
  seq BIGINT PRIMARY KEY, hash TEXT NOT NULL, key_id TEXT NOT NULL, signature TEXT NOT NULL,
  signed_at BIGINT NOT NULL);
CREATE TABLE audit_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}')`,
  },
  {
    id: '002_policy_ops',
    sql: `
CREATE TABLE suspensions (
  id TEXT PRIMARY KEY, scope TEXT NOT NULL, target TEXT NOT NULL, action TEXT NOT NULL, reason TEXT NOT NULL,
  created_by TEXT NOT NULL, created_at BIGINT NOT NULL, lifted_by TEXT, lifted_at BIGINT, lift_reason TEXT);
CREATE INDEX suspensions_active ON suspensions (lifted_at);
CREATE TABLE policy_publications (
  version_id TEXT PRIMARY KEY, requested_by TEXT NOT NULL, reason TEXT NOT NULL, requested_at BIGINT NOT NULL,
  status TEXT NOT NULL, decided_by TEXT, decided_at BIGINT);
CREATE TABLE shadow_candidate (id INTEGER PRIMARY KEY, version_id TEXT NOT NULL, started_at BIGINT NOT NULL);
CREATE TABLE shadow_sessions (
  candidate TEXT NOT NULL, session_id TEXT NOT NULL, started_at BIGINT NOT NULL, PRIMARY KEY (candidate, session_id));
CREATE TABLE shadow_decisions (
  candidate TEXT NOT NULL, session_id TEXT NOT NULL, decision_id TEXT NOT NULL, ord BIGINT NOT NULL,
  at BIGINT NOT NULL, outcome TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (candidate, session_id, decision_id))`,
  },
  {
    // A suspension made by a manager of one tenant covers that tenant's sessions only.
    id: '003_suspension_tenant',
    sql: 'ALTER TABLE suspensions ADD COLUMN tenant_id TEXT',
  },
  {
    // The runtime node each session lives on, and when each node was last seen: a session whose
    // node stopped answering (killed, crashed) is ended by the nodes still running.
    id: '004_runtime_nodes',
    sql: `
CREATE TABLE runtime_nodes (id TEXT PRIMARY KEY, started_at BIGINT NOT NULL, seen_at BIGINT NOT NULL);
ALTER TABLE sessions ADD COLUMN node_id TEXT`,
  },
  {
    // Decisions in the order they were recorded, without a second copy of each decision's JSON
    // (its audit entry holds it): a commit appends to this table instead of rewriting a page per
    // session in a table clustered by id, and a session's decisions are read through the audit
    // entries' session index, so the decisions' own session index goes. About a third fewer bytes
    // written per decision.
    id: '005_decisions_by_seq',
    sql: `
CREATE TABLE decisions_by_seq (
  {{AUDIT_SEQ_PRIMARY_KEY}}, id TEXT NOT NULL, session_id TEXT NOT NULL, proposal_id TEXT NOT NULL,
  kind TEXT NOT NULL, outcome TEXT NOT NULL, at BIGINT NOT NULL);
INSERT INTO decisions_by_seq (audit_seq, id, session_id, proposal_id, kind, outcome, at)
  SELECT audit_seq, id, session_id, proposal_id, kind, outcome, at FROM decisions;
DROP TABLE decisions;
ALTER TABLE decisions_by_seq RENAME TO decisions;
CREATE UNIQUE INDEX decisions_id ON decisions (id)`,
  },
  {
    // A session's audit entries are indexed in bulk behind a mark instead of by an index every
    // commit rewrites (audit-session-index.ts): about half fewer bytes written per decision.
    id: '006_audit_session_index',
    sql: `
CREATE TABLE audit_session_index (
  session_id TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (session_id, seq)){{WITHOUT_ROWID}};
INSERT INTO audit_session_index (session_id, seq)
  SELECT session_id, seq FROM audit_entries WHERE session_id IS NOT NULL;
CREATE TABLE index_marks (name TEXT PRIMARY KEY, seq BIGINT NOT NULL);
INSERT INTO index_marks (name, seq) SELECT 'audit_session_index', COALESCE(MAX(seq), 0) FROM audit_entries;
DROP INDEX audit_entries_session`,
  },
  {
    // The session index's mark records the hash of the entry it stands at (audit-session-index.ts).
    // On SQLite the index moves to a file of its own (sqlite-session-index.ts), rebuilt there from
    // the chain, so that catching it up never holds the store's one writer.
    id: '007_session_index_file',
    sql: {
      sqlite: `
DROP TABLE audit_session_index;
DROP TABLE index_marks`,
      postgres: 'ALTER TABLE index_marks ADD COLUMN hash TEXT',
    },
  },
  {
    // SQLite: the signed heads keyed by the rowid itself, as the audit entries are. A BIGINT
    // primary key is not the rowid there, so it had an index of its own that every group commit
    // wrote a page of (about 57 B of WAL per decision at 10,000/s). PostgreSQL has no rowid.
    id: '008_audit_signatures_by_seq',
    sql: {
      sqlite: `
CREATE TABLE audit_signatures_by_seq (
  seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, key_id TEXT NOT NULL, signature TEXT NOT NULL,
  signed_at BIGINT NOT NULL);
INSERT INTO audit_signatures_by_seq (seq, hash, key_id, signature, signed_at)
  SELECT seq, hash, key_id, signature, signed_at FROM audit_signatures;
DROP TABLE audit_signatures;
ALTER TABLE audit_signatures_by_seq RENAME TO audit_signatures`,
      postgres: '',
    },
  },
  {
    // SQLite: decision ids kept unique through the bulk index (sqlite-decision-ids.ts) instead of
    // a unique index that every group commit rewrote a page of per decision (1,140 B of WAL each
    // at 10,000/s). PostgreSQL keeps its index.
    id: '009_decision_ids_in_bulk',
    sql: { sqlite: 'DROP INDEX decisions_id', postgres: '' },
  },
];

const DIALECT_TOKENS: Record<Dialect, Record<string, string>> = {
  sqlite: {
    '{{SEQ_PRIMARY_KEY}}': 'seq INTEGER PRIMARY KEY',
    '{{AUDIT_SEQ_PRIMARY_KEY}}': 'audit_seq INTEGER PRIMARY KEY',
    '{{WITHOUT_ROWID}}': ' WITHOUT ROWID',
  },
  postgres: {
    '{{SEQ_PRIMARY_KEY}}': 'seq BIGINT PRIMARY KEY',
    '{{AUDIT_SEQ_PRIMARY_KEY}}': 'audit_seq BIGINT PRIMARY KEY',
    '{{WITHOUT_ROWID}}': '',
  },
};

function statements(sql: string | Record<Dialect, string>, dialect: Dialect): string[] {
  const tokens = DIALECT_TOKENS[dialect];
  return (typeof sql === 'string' ? sql : sql[dialect])
    .replace(/\{\{[A-Z_]+\}\}/g, (token) => tokens[token] ?? token)
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Brings the schema up to date; safe when several nodes start at once. */
export async function migrate(db: SqlDb, now: number = Date.now()): Promise<string[]> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
  return db.transaction(async (tx) => {
    if (db.dialect === 'postgres')
      await tx.all("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.guardline'))");
    const done = new Set((await tx.all<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id));
    const applied: string[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.id)) continue;
      try {
        for (const statement of statements(migration.sql, db.dialect)) await tx.run(statement);
      } catch (e) {
        throw new GuardlineError('GL_STORE_MIGRATION_FAILED', `${migration.id}: ${(e as Error).message}`, {
          migration: migration.id,
        });
      }
      await tx.run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)', [migration.id, now]);
      applied.push(migration.id);
    }
    return applied;
  });
}
