/**
 * The code the SQLite writer thread runs (`new Worker(WRITER_SOURCE, { eval: true })`). It is
 * plain CommonJS in a string, not a module file: a worker file would not survive esbuild bundling
 * the server into one file, and Node 20 cannot start a `.ts` worker outside tsx (vitest).
 *
 * It owns the one writer connection (WAL, `synchronous=FULL`) and runs requests strictly in the
 * order they arrive, each answered `{ id, ok, value | message, code }`. Every statement names its
 * transaction. The first statement of a transaction that fails (or changes another number of rows
 * than it `expect`s) rolls the transaction back at once; every later request for it, its commit
 * included, fails with that same error. So statements sent ahead without waiting (pipelined) can
 * never run outside their transaction, and a commit succeeds only if all of them did.
 * A rollback answers with that first error, if any: the cause. A `begin` with `after: N` is refused unless transaction N, the one just before, committed: a
 * transaction prepared while N was still committing depends on N.
 */
export const WRITER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);

let db = null;
try {
  db = new Database(workerData.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  parentPort.postMessage({ id: 0, ok: true });
} catch (e) {
  db = null;
  parentPort.postMessage({ id: 0, ok: false, message: String(e && e.message), code: e && e.code });
  parentPort.close();
}

const cache = new Map();
function prepare(sql) {
  let stmt = cache.get(sql);
  if (!stmt) {
    if (cache.size > 500) cache.clear();
    stmt = db.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}

function failure(message, code) {
  const e = new Error(message);
  e.code = code;
  return e;
}

let open = 0; // the transaction in progress, 0 = none
let failed = null; // { tx, error }: the first error of a transaction that failed
let last = { tx: 0, committed: false }; // the transaction that ended last

function end(committed) {
  last = { tx: open, committed };
  open = 0;
}

function inOpen(tx) {
  if (failed && failed.tx === tx) throw failed.error;
  if (open !== tx || !db.inTransaction) throw failure('transaction ' + tx + ' is not open', 'SQLITE_WRITER_NOT_OPEN');
}

function handle(m) {
  switch (m.op) {
    case 'begin':
      if (open !== 0 || db.inTransaction) throw failure('nested or concurrent write transaction', 'SQLITE_WRITER_BUSY');
      if (m.after !== undefined && !(last.tx === m.after && last.committed)) {
        throw failure('transaction ' + m.after + ', which this one was prepared after, did not commit', 'PREDECESSOR_FAILED');
      }
      db.exec('BEGIN IMMEDIATE');
      open = m.tx;
      return null;
    case 'all': {
      inOpen(m.tx);
      const stmt = prepare(m.sql);
      if (stmt.reader) return stmt.all(...m.params);
      stmt.run(...m.params);
      return [];
    }
    case 'run': {
      inOpen(m.tx);
      const changes = prepare(m.sql).run(...m.params).changes;
      if (m.expect !== undefined && changes !== m.expect) {
        throw failure('expected ' + m.expect + ' changed row(s), not ' + changes + ': ' + m.sql, 'UNEXPECTED_CHANGES');
      }
      return changes;
    }
    case 'commit':
      inOpen(m.tx);
      db.exec('COMMIT');
      end(true);
      return null;
    case 'rollback': {
      // Answers with the transaction's first error, if it had one: the cause of the rollback.
      const cause = failed && failed.tx === m.tx ? failed.error : null;
      if (cause) failed = null;
      if (open === m.tx) {
        if (db.inTransaction) db.exec('ROLLBACK');
        end(false);
      }
      return cause && { message: String(cause.message), code: cause.code };
    }
    case 'exec':
      if (open !== 0) throw failure('exec inside a write transaction', 'SQLITE_WRITER_BUSY');
      db.exec(m.sql);
      return null;
    case 'close':
      db.close();
      parentPort.postMessage({ id: m.id, ok: true, value: null });
      parentPort.close();
      return undefined;
    default:
      throw failure('unknown request ' + m.op, 'SQLITE_WRITER_PROTOCOL');
  }
}

if (db) parentPort.on('message', (m) => {
  let value;
  try {
    value = handle(m);
  } catch (e) {
    if (m.tx !== undefined && m.op !== 'rollback') {
      if (!failed || failed.tx !== m.tx) failed = { tx: m.tx, error: e };
      if (open === m.tx) {
        try {
          if (db.inTransaction) db.exec('ROLLBACK');
        } catch {}
        end(false);
      }
    }
    // A failed commit is the transaction's last request: nothing will ask for its cause.
    if (m.op === 'commit' && failed && failed.tx === m.tx) failed = null;
    parentPort.postMessage({ id: m.id, ok: false, message: String(e && e.message), code: e && e.code });
    return;
  }
  if (value !== undefined) parentPort.postMessage({ id: m.id, ok: true, value });
});
`;
