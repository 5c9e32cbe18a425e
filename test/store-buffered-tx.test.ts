import { describe, expect, it } from 'vitest';
import { BufferedTx } from '../src/store/buffered-tx.ts';
import type { Dialect, TxConn } from '../src/store/sql.ts';

/** A transaction that records the statements it is sent, as a backend would receive them. */
function recording(): TxConn & { sent: { sql: string; params: readonly unknown[] }[] } {
  const sent: { sql: string; params: readonly unknown[] }[] = [];
  return {
    sent,
    async all() {
      return [];
    },
    async run() {
      return 0;
    },
    async write(sql, params = []) {
      sent.push({ sql, params });
    },
  };
}

function buffered(dialect: Dialect) {
  const conn = recording();
  return { conn, tx: new BufferedTx(conn, dialect) };
}

describe('BufferedTx', () => {
  it("sends a PostgreSQL group commit's rows for several tables as one statement, values in order", async () => {
    const { conn, tx } = buffered('postgres');
    tx.insert('audit_entries', ['seq', 'hash'], [1, 'h1']);
    tx.insert('decisions', ['id', 'audit_seq'], ['d1', 1]);
    tx.insert('audit_entries', ['seq', 'hash'], [2, 'h2']);
    tx.insert('audit_signatures', ['seq', 'signature'], [2, 'sig']);
    await tx.flush();
    expect(conn.sent).toEqual([
      {
        sql:
          'WITH w0 AS (INSERT INTO audit_entries (seq,hash) VALUES (?,?),(?,?)), ' +
          'w1 AS (INSERT INTO decisions (id,audit_seq) VALUES (?,?)) ' +
          'INSERT INTO audit_signatures (seq,signature) VALUES (?,?)',
        params: [1, 'h1', 2, 'h2', 'd1', 1, 2, 'sig'],
      },
    ]);
  });

  it('never joins two PostgreSQL inserts into the same table, whose conflicts must see each other', async () => {
    const { conn, tx } = buffered('postgres');
    tx.insert('session_inputs', ['id'], ['i1'], 'ON CONFLICT DO NOTHING');
    tx.insert('session_inputs', ['id'], ['i1']);
    tx.insert('decisions', ['id'], ['d1']);
    await tx.flush();
    expect(conn.sent.map((s) => s.sql)).toEqual([
      'INSERT INTO session_inputs (id) VALUES (?) ON CONFLICT DO NOTHING',
      'WITH w0 AS (INSERT INTO session_inputs (id) VALUES (?)) INSERT INTO decisions (id) VALUES (?)',
    ]);
  });

  it('keeps each PostgreSQL statement within its parameter limit', async () => {
    const { conn, tx } = buffered('postgres');
    const columns = Array.from({ length: 10 }, (_, i) => `c${i}`);
    // Three tables of 30,000 parameters each: together they would be 90,000.
    for (const table of ['a', 'b', 'c'])
      for (let row = 0; row < 3000; row++) tx.insert(table, columns, Array(10).fill(row));
    await tx.flush();
    for (const statement of conn.sent) expect(statement.params.length).toBeLessThanOrEqual(65_535);
    expect(conn.sent.reduce((n, s) => n + s.params.length, 0)).toBe(90_000);
  });

  it('sends SQLite its inserts one table shape at a time, in fixed chunk sizes', async () => {
    const { conn, tx } = buffered('sqlite');
    for (let row = 0; row < 5; row++) tx.insert('a', ['x'], [row]);
    tx.insert('b', ['y'], ['only']);
    await tx.flush();
    expect(conn.sent).toEqual([
      { sql: 'INSERT INTO a (x) VALUES (?),(?),(?),(?)', params: [0, 1, 2, 3] },
      { sql: 'INSERT INTO a (x) VALUES (?)', params: [4] },
      { sql: 'INSERT INTO b (y) VALUES (?)', params: ['only'] },
    ]);
  });
});
