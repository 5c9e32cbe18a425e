/**
 * The code a SQLite connection thread runs (`new Worker(THREAD_SOURCE, { eval: true })`). It is
 * plain CommonJS in a string, not a module file: a worker file would not survive esbuild bundling
 * the server into one file, and Node 20 cannot start a `.ts` worker outside tsx (vitest).
 *
 * It owns one connection to `workerData.file` (WAL, `synchronous=FULL`; `workerData.pageSize` for
 * a new file; its automatic checkpoint at `workerData.autocheckpointBytes` of WAL, when given).
 * With `workerData.attach` (`{ file, schema, setup }`) it also attaches that database file under
 * that schema name and runs the `setup` statements. Each request is a list of steps run in order,
 * answered once: `{ id, ok, value }` with the last step's value, or `{ id, ok: false, message, code }`
 * at the first step that fails. Requests run strictly in the order they arrive.
 * Every step of a transaction names it. Its first step that fails (or changes another number of
 * rows than it `expect`s) rolls it back at once, and every later step for it, its commit
 * included, fails with that same error: a commit succeeds only if every statement sent for the
 * transaction did. A rollback answers with that first error, if any: the cause. A `begin` with
 * `after: N` is refused unless transaction N, the one just before, committed: a transaction
 * prepared while N was still committing depends on N. A `begin` takes every database's write lock
 * at once (`BEGIN IMMEDIATE`) unless it is `deferred`: then a database is locked for writing only
 * by the first statement that writes it. An `all` outside any transaction reads (or runs a pragma)
 * on its own.
 */
export const THREAD_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);

let db = null;
try {
  db = new Database(workerData.file);
  // Takes effect only on a new, empty file (before WAL mode and the first table); else a no-op.
  if (workerData.pageSize) db.pragma('page_size = ' + Number(workerData.pageSize));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  if (workerData.autocheckpointBytes) {
    const pageSize = db.pragma('page_size', { simple: true });
    db.pragma('wal_autocheckpoint = ' + Math.ceil(Number(workerData.autocheckpointBytes) / pageSize));
  }
  if (workerData.attach) {
    db.prepare('ATTACH DATABASE ? AS ' + workerData.attach.schema).run(workerData.attach.file);
    for (const sql of workerData.attach.setup) db.exec(sql);
  }
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

function step(tx, s) {
  switch (s.op) {
    case 'begin':
      if (open !== 0 || db.inTransaction) throw failure('nested or concurrent write transaction', 'SQLITE_WRITER_BUSY');
      if (s.after !== undefined && !(last.tx === s.after && last.committed)) {
        throw failure('transaction ' + s.after + ', which this one was prepared after, did not commit', 'PREDECESSOR_FAILED');
      }
      db.exec(s.deferred ? 'BEGIN' : 'BEGIN IMMEDIATE');
      open = tx;
      return null;
    case 'all': {
      if (tx !== undefined || open !== 0) inOpen(tx);
      const stmt = prepare(s.sql);
      if (stmt.reader) return stmt.all(...s.params);
      stmt.run(...s.params);
      return [];
    }
    case 'run': {
      inOpen(tx);
      const changes = prepare(s.sql).run(...s.params).changes;
      if (s.expect !== undefined && changes !== s.expect) {
        throw failure('expected ' + s.expect + ' changed row(s), not ' + changes + ': ' + s.sql, 'UNEXPECTED_CHANGES');
      }
      return changes;
    }
    case 'commit':
      inOpen(tx);
      db.exec('COMMIT');
      end(true);
      return null;
    case 'rollback': {
      const cause = failed && failed.tx === tx ? failed.error : null;
      if (cause) failed = null;
      if (open === tx) {
        if (db.inTransaction) db.exec('ROLLBACK');
        end(false);
      }
      return cause && { message: String(cause.message), code: cause.code };
    }
    case 'exec':
      if (open !== 0) throw failure('exec inside a write transaction', 'SQLITE_WRITER_BUSY');
      db.exec(s.sql);
      return null;
    default:
      throw failure('unknown step ' + s.op, 'SQLITE_WRITER_PROTOCOL');
  }
}

function fail(tx, s, e, ends) {
  if (tx === undefined || s.op === 'rollback') return;
  if (!failed || failed.tx !== tx) failed = { tx, error: e };
  if (open === tx) {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } catch {}
    end(false);
  }
  // A request that ends with the commit is the transaction's last: nothing will ask for the cause.
  if (ends) failed = null;
}

if (db) parentPort.on('message', (m) => {
  if (m.close) {
    db.close();
    parentPort.postMessage({ id: m.id, ok: true, value: null });
    parentPort.close();
    return;
  }
  let value = null;
  for (const s of m.steps) {
    try {
      value = step(m.tx, s);
    } catch (e) {
      fail(m.tx, s, e, m.steps[m.steps.length - 1].op === 'commit');
      parentPort.postMessage({ id: m.id, ok: false, message: String(e && e.message), code: e && e.code });
      return;
    }
  }
  parentPort.postMessage({ id: m.id, ok: true, value });
});
`;
