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
 * rows than it `expect`s: then it fails with its `mismatch` code and message, if given) rolls it
 * back at once, and every later step for it, its commit included, fails with that same error: a
 * commit succeeds only if every statement sent for the transaction did. A rollback answers with
 * that first error, if any: the cause. A `begin` with `after: N` is refused unless transaction N,
 * the one just before, committed: a transaction prepared while N was still committing depends on N.
 * A `begin` takes every database's write lock at once (`BEGIN IMMEDIATE`) unless it is `deferred`:
 * then a database is locked for writing only by the first statement that writes it. An `all`
 * outside any transaction reads (or runs a pragma) on its own. A `datasync` fdatasyncs the main
 * database file.
 *
 * Claimed decision ids (`claim`, writer only: `workerData.recentIds` is the SQL that lists the
 * decisions recorded after a mark, `?`, as `id` and `seq`). The thread remembers the ids its own
 * commits recorded after the mark of the decision-id index (`sqlite-decision-ids.ts`), with those
 * it found when it last listed them, and a `claim` step fails the transaction with its `mismatch`
 * if one of its ids is among them, among those of the transactions merged with it, or in it twice.
 * That memory holds only while no other connection has committed to the database since it was
 * made (SQLite's `data_version`, which a connection's own commits leave alone) and the mark has
 * not gone back: otherwise the step runs its `fallback` statement instead (which scans the
 * decisions after the mark), and the memory is made again, by listing, after the next commit.
 * A claim's ids are remembered once its transaction commits; a rollback forgets them. It remembers
 * at most `workerData.recentIdsLimit` ids (default 200,000, 20 s at 10,000 decisions/s): should
 * the mark stand still longer (the index's catch-ups failing), claims run the fallback until it moves.
 *
 * Merged commits. A transaction sent whole in one request (a `begin`, its writes, its `commit`)
 * is not committed at once if the next request is already waiting and is another whole
 * transaction that begins `after` it: the thread runs that one inside the same SQLite transaction,
 * under a savepoint, and so on while such requests wait (up to `MERGE_LIMIT` of them, or
 * `MERGE_MS` of statements), then commits them all with one durable flush and answers each. A
 * transaction whose statement fails there is rolled back to its savepoint alone: the ones merged
 * before it still commit, and the ones begun after it are refused as after any failed predecessor.
 * So a request for a transaction's commit is answered once that transaction is durable, as
 * before, but transactions sent while a flush runs share the next one instead of each waiting for
 * a flush of its own. The request answers with how many transactions that flush committed.
 */
export const THREAD_SOURCE = `'use strict';
const { parentPort, receiveMessageOnPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const Database = require(workerData.driver);

let db = null;
try {
  if (workerData.nice) {
    // This thread only (Linux: a thread's id is a pid to setpriority): see SqliteThreadOptions.nice.
    // Best effort: where /proc or setpriority is unavailable, the thread runs at normal priority.
    try {
      const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
      require('node:os').setPriority(tid, workerData.nice);
    } catch {}
  }
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

let dbFd = null; // the main database file, opened for \`datasync\`
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

/** Claimed decision ids (see above); null where the thread takes no claims. */
const claims = workerData.recentIds
  ? {
      recent: new Map(), // id -> seq, of committed decisions after \`mark\`
      order: [], // [seq, id], in the order committed (seq ascending), for forgetting
      first: 0, // order[first] is the oldest still remembered
      mark: 0, // the mark the memory starts after
      version: null, // the data_version the memory holds for; null: not usable
      lastMark: null, // the mark of the last claim: the memory is made again after it
      pending: new Map(), // id -> tx, claimed by transactions not yet committed
      limit: Number(workerData.recentIdsLimit) || 200000, // ids remembered at most
      tooMany: null, // the mark after which there were more than \`limit\` ids to remember
    }
  : null;

function claimFailure(s) {
  return failure(s.fallback.mismatch.message, s.fallback.mismatch.code);
}

/** Forgets the ids at or below \`mark\`: the index holds them now, and the main thread checked them there. */
function forget(mark) {
  const c = claims;
  while (c.first < c.order.length && c.order[c.first][0] <= mark) c.recent.delete(c.order[c.first++][1]);
  if (c.first > 4096 && c.first * 2 > c.order.length) {
    c.order = c.order.slice(c.first);
    c.first = 0;
  }
  c.mark = mark;
}

function claim(tx, s) {
  const c = claims;
  if (!c) throw failure('this thread takes no claims', 'SQLITE_WRITER_PROTOCOL');
  c.lastMark = s.mark;
  const version = prepare('PRAGMA data_version').pluck().get();
  if (c.version === null || version !== c.version || s.mark < c.mark) {
    c.version = null;
    runStep(s.fallback);
  } else {
    forget(s.mark);
    const seen = new Set();
    for (const id of s.ids) {
      if (seen.has(id) || c.recent.has(id) || c.pending.has(id)) throw claimFailure(s);
      seen.add(id);
    }
  }
  for (let i = 0; i < s.ids.length; i++) c.pending.set(s.ids[i], { tx, seq: s.seqs[i] });
}

/** The claims of \`tx\` (every transaction's, without one) are forgotten: it rolled back. */
function dropClaims(tx) {
  if (!claims) return;
  if (tx === undefined) claims.pending.clear();
  else for (const [id, p] of claims.pending) if (p.tx === tx) claims.pending.delete(id);
}

/** Every claim pending is committed: remembered, or the memory is made again if it was not usable. */
function claimsCommitted() {
  const c = claims;
  if (!c) return;
  if (c.version !== null) {
    for (const [id, p] of c.pending) {
      c.recent.set(id, p.seq);
      c.order.push([p.seq, id]);
    }
  }
  c.pending.clear();
  // The index's mark stands still (its catch-ups fail or lag): stop remembering; claims scan.
  if (c.version !== null && c.recent.size > c.limit) forgetAll(c.lastMark);
  if (c.version !== null || c.lastMark === null || c.tooMany === c.lastMark) return;
  // Read before listing: a commit by another connection in between is listed, and seen again next time.
  const version = prepare('PRAGMA data_version').pluck().get();
  const rows = prepare(workerData.recentIds).all(c.lastMark);
  // Too many: listed again only once the mark has moved.
  if (rows.length > c.limit) return forgetAll(c.lastMark);
  forgetAll(null);
  for (const row of rows) {
    c.recent.set(row.id, row.seq);
    c.order.push([row.seq, row.id]);
  }
  c.order.sort((a, b) => a[0] - b[0]);
  c.mark = c.lastMark;
  c.version = version;
}

/**
 * Remembers nothing: claims run the fallback, and (with a \`mark\`) the ids are listed again only
 * once the mark has moved past it.
 */
function forgetAll(mark) {
  const c = claims;
  c.version = null;
  c.recent.clear();
  c.order = [];
  c.first = 0;
  c.tooMany = mark;
}

let open = 0; // the transaction in progress, 0 = none
let failed = null; // { tx, error }: the first error of a transaction that failed
let last = { tx: 0, committed: false }; // the transaction that ended last
// Whole transactions done but not yet committed: the SQLite transaction holds them (merged commits).
let held = []; // request ids, in order
let heldSince = 0;
const MERGE_LIMIT = 256;
const MERGE_MS = 2;
const SAVEPOINT = 'merged_tx';

function end(committed) {
  last = { tx: open, committed };
  open = 0;
}

function inOpen(tx) {
  if (failed && failed.tx === tx) throw failed.error;
  if (open !== tx || !db.inTransaction) throw failure('transaction ' + tx + ' is not open', 'SQLITE_WRITER_NOT_OPEN');
}

function runStep(s) {
  const changes = prepare(s.sql).run(...s.params).changes;
  if (s.expect !== undefined && changes !== s.expect) {
    if (s.mismatch) throw failure(s.mismatch.message, s.mismatch.code);
    throw failure('expected ' + s.expect + ' changed row(s), not ' + changes + ': ' + s.sql, 'UNEXPECTED_CHANGES');
  }
  return changes;
}

function step(tx, s) {
  switch (s.op) {
    case 'begin':
      if (open !== 0 || (db.inTransaction && held.length === 0)) {
        throw failure('nested or concurrent write transaction', 'SQLITE_WRITER_BUSY');
      }
      if (s.after !== undefined && !(last.tx === s.after && last.committed)) {
        throw failure('transaction ' + s.after + ', which this one was prepared after, did not commit', 'PREDECESSOR_FAILED');
      }
      // Merged into the transaction that holds the ones before it (see handle), or a transaction of its own.
      db.exec(held.length > 0 ? 'SAVEPOINT ' + SAVEPOINT : s.deferred ? 'BEGIN' : 'BEGIN IMMEDIATE');
      open = tx;
      return null;
    case 'all': {
      if (tx !== undefined || open !== 0) inOpen(tx);
      const stmt = prepare(s.sql);
      if (stmt.reader) return stmt.all(...s.params);
      stmt.run(...s.params);
      return [];
    }
    case 'run':
      inOpen(tx);
      return runStep(s);
    case 'claim':
      inOpen(tx);
      claim(tx, s);
      return null;
    case 'commit':
      inOpen(tx);
      db.exec('COMMIT');
      end(true);
      claimsCommitted();
      return null;
    case 'rollback': {
      const cause = failed && failed.tx === tx ? failed.error : null;
      if (cause) failed = null;
      if (open === tx) {
        if (db.inTransaction) db.exec('ROLLBACK');
        end(false);
      }
      dropClaims(tx);
      return cause && { message: String(cause.message), code: cause.code };
    }
    case 'exec':
      if (open !== 0) throw failure('exec inside a write transaction', 'SQLITE_WRITER_BUSY');
      db.exec(s.sql);
      return null;
    case 'datasync':
      // The main database file's pages written so far (by any connection) made durable.
      dbFd ??= fs.openSync(workerData.file, 'r');
      fs.fdatasyncSync(dbFd);
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
      // Merged: only this transaction's own statements are undone; those held before it stay.
      if (held.length > 0) db.exec('ROLLBACK TO ' + SAVEPOINT + '; RELEASE ' + SAVEPOINT);
      else if (db.inTransaction) db.exec('ROLLBACK');
    } catch {}
    end(false);
  }
  dropClaims(tx);
  // A request that ends with the commit is the transaction's last: nothing will ask for the cause.
  if (ends) failed = null;
}

/** A whole transaction in one request, begun after transaction \`tx\`: it may be merged (see above). */
function mergeable(m, tx) {
  if (m.close || m.tx === undefined || m.steps.length < 2) return false;
  const first = m.steps[0];
  return first.op === 'begin' && first.after === tx && !first.deferred && m.steps[m.steps.length - 1].op === 'commit';
}

/** Commits the held transactions with one flush and answers each (or each with the error). */
function commitHeld() {
  if (held.length === 0) return;
  const ids = held;
  held = [];
  try {
    db.exec('COMMIT');
    claimsCommitted();
    // Each commit answers with how many transactions shared its flush.
    for (const id of ids) parentPort.postMessage({ id, ok: true, value: ids.length });
  } catch (e) {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } catch {}
    dropClaims(undefined);
    last = { tx: last.tx, committed: false };
    for (const id of ids) parentPort.postMessage({ id, ok: false, message: String(e && e.message), code: e && e.code });
  }
}

/** Runs one request; returns the next one if it was taken off the port while deciding to merge. */
function handle(m) {
  if (m.close) {
    commitHeld();
    if (dbFd !== null) fs.closeSync(dbFd);
    db.close();
    parentPort.postMessage({ id: m.id, ok: true, value: null });
    parentPort.close();
    return null;
  }
  const ends = m.steps.length > 0 && m.steps[m.steps.length - 1].op === 'commit';
  const whole = ends && m.tx !== undefined && m.steps[0].op === 'begin' && !m.steps[0].deferred;
  // A whole transaction's commit is held (below); any other request runs all its steps.
  const count = whole ? m.steps.length - 1 : m.steps.length;
  let value = null;
  for (let i = 0; i < count; i++) {
    const s = m.steps[i];
    try {
      value = step(m.tx, s);
      if (whole && i === count - 1) {
        inOpen(m.tx);
        if (held.length > 0) db.exec('RELEASE ' + SAVEPOINT);
      }
    } catch (e) {
      fail(m.tx, s, e, ends);
      parentPort.postMessage({ id: m.id, ok: false, message: String(e && e.message), code: e && e.code });
      commitHeld();
      return null;
    }
  }
  if (!whole) {
    parentPort.postMessage({ id: m.id, ok: true, value });
    return null;
  }
  // Done but not committed: answered once the held transactions commit (commitHeld).
  end(true);
  if (held.length === 0) heldSince = performance.now();
  held.push(m.id);
  const waiting = receiveMessageOnPort(parentPort);
  const next = waiting && waiting.message;
  const room = held.length < MERGE_LIMIT && performance.now() - heldSince < MERGE_MS;
  if (!(next && room && mergeable(next, m.tx))) commitHeld();
  return next || null;
}

if (db) parentPort.on('message', (m) => {
  let next = m;
  while (next) next = handle(next);
});
`;
