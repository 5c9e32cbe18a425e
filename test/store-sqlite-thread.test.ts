/**
 * The SQLite writer thread commits whole transactions that wait behind a flush together, with
 * one flush, and a transaction that fails there fails alone. Its claimed decision ids (`claim`
 * steps, `sqlite-decision-ids.ts`): an id recorded after the index's mark is refused whether the
 * thread remembers it or must look, and nothing is remembered that did not commit.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteThread, type ThreadStep } from '../src/store/sqlite-thread.ts';

let dir = '';
let thread: SqliteThread | null = null;

afterEach(async () => {
  await thread?.close();
  thread = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<{ file: string; thread: SqliteThread }> {
  dir = mkdtempSync(path.join(os.tmpdir(), 'guardline-thread-'));
  const file = path.join(dir, 'guardline.db');
  thread = await SqliteThread.start(file);
  await thread.request(undefined, [
    { op: 'exec', sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY, tx INTEGER NOT NULL)' },
  ]);
  return { file, thread };
}

/** Transaction `tx`, whole in one request: begun after `tx - 1` (when `after`), its rows, its commit. */
function whole(tx: number, ids: number[], after = tx > 1): ThreadStep[] {
  return [
    after ? { op: 'begin', after: tx - 1 } : { op: 'begin' },
    ...ids.map((id): ThreadStep => ({ op: 'run', sql: 'INSERT INTO t (id, tx) VALUES (?, ?)', params: [id, tx] })),
    { op: 'commit' },
  ];
}

function rows(file: string): { id: number; tx: number }[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT id, tx FROM t ORDER BY id').all() as { id: number; tx: number }[];
  } finally {
    db.close();
  }
}

describe('SQLite writer thread', () => {
  it('commits whole transactions sent together with one flush, and answers each once durable', async () => {
    const { file, thread } = await start();
    // Sent in one turn: the thread finds the later ones waiting when the first is done.
    const commits = [1, 2, 3, 4, 5].map((tx) => thread.request(tx, whole(tx, [tx * 10, tx * 10 + 1])));
    expect(await Promise.all(commits)).toEqual([5, 5, 5, 5, 5]);
    expect(rows(file)).toHaveLength(10);
    // One on its own is a flush of its own.
    expect(await thread.request(6, whole(6, [60]))).toBe(1);
  });

  it('a merged transaction that fails is undone alone: those before it commit, those begun after it are refused', async () => {
    const { file, thread } = await start();
    const outcomes = await Promise.allSettled([
      thread.request(1, whole(1, [1])),
      thread.request(2, whole(2, [2])),
      thread.request(3, whole(3, [3, 1])), // 1 is taken: its second row fails
      thread.request(4, whole(4, [4])),
      thread.request(5, whole(5, [5], false)), // depends on nothing
    ]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as { code: string }).code))).toEqual([
      2,
      2,
      'SQLITE_CONSTRAINT_PRIMARYKEY',
      'PREDECESSOR_FAILED',
      1,
    ]);
    expect(rows(file)).toEqual([
      { id: 1, tx: 1 },
      { id: 2, tx: 2 },
      { id: 5, tx: 5 },
    ]);
  });

  it('commits what it holds before a request that is not a whole dependent transaction', async () => {
    const { file, thread } = await start();
    const first = thread.request(1, whole(1, [1]));
    const read = thread.request(undefined, [{ op: 'all', sql: 'SELECT count(*) AS n FROM t', params: [] }]);
    const second = thread.request(2, whole(2, [2]));
    expect(await first).toBe(1);
    // The read ran after the first transaction committed, so it sees its row.
    expect(await read).toEqual([{ n: 1 }]);
    expect(await second).toBe(1);
    expect(rows(file)).toHaveLength(2);
  });

  it.runIf(process.platform === 'linux')(
    'runs at the lower CPU priority it is given, and only that thread',
    async () => {
      /** The nice value of each thread of this process (field 19 of /proc/self/task/TID/stat). */
      const niceness = () =>
        readdirSync('/proc/self/task').map((tid) => {
          const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
          return Number(fields[16]);
        });
      dir = mkdtempSync(path.join(os.tmpdir(), 'guardline-thread-'));
      const before = niceness().filter((n) => n === 7).length;
      thread = await SqliteThread.start(path.join(dir, 'guardline.db'), { nice: 7 });
      expect(niceness().filter((n) => n === 7).length).toBe(before + 1);
      expect(Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ')[16])).toBe(0);
    },
  );

  it('still starts, at normal priority, when its priority cannot be set', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'guardline-thread-'));
    // Out of setpriority's range: refused, and the thread goes on without it.
    thread = await SqliteThread.start(path.join(dir, 'guardline.db'), { nice: 100 });
    expect(await thread.request(undefined, [{ op: 'all', sql: 'SELECT 1 AS one', params: [] }])).toEqual([{ one: 1 }]);
  });
});

const DUPLICATE = { code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed: d.id' };

async function startClaiming(recentIdsLimit?: number): Promise<{ file: string; thread: SqliteThread }> {
  dir = mkdtempSync(path.join(os.tmpdir(), 'guardline-claims-'));
  const file = path.join(dir, 'guardline.db');
  const recentIds = 'SELECT id, seq FROM d WHERE seq > ?';
  thread = await SqliteThread.start(file, recentIdsLimit ? { recentIds, recentIdsLimit } : { recentIds });
  await thread.request(undefined, [{ op: 'exec', sql: 'CREATE TABLE d (seq INTEGER PRIMARY KEY, id TEXT NOT NULL)' }]);
  return { file, thread };
}

interface ClaimingTx {
  /** The decisions it records: [seq, id]. */
  rows: [number, string][];
  /** The index's mark it was checked against (default 0). */
  mark?: number;
  /** Begun after transaction `tx - 1` (prepared while that one committed). */
  after?: boolean;
}

/** Transaction `tx`, whole: its rows, its claim of their ids, its commit. */
function claiming(tx: number, { rows, mark = 0, after = false }: ClaimingTx): ThreadStep[] {
  const ids = rows.map(([, id]) => id);
  const distinct = [...new Set(ids)];
  return [
    after ? { op: 'begin', after: tx - 1 } : { op: 'begin' },
    ...rows.map(
      ([seq, id]): ThreadStep => ({ op: 'run', sql: 'INSERT INTO d (seq, id) VALUES (?, ?)', params: [seq, id] }),
    ),
    {
      op: 'claim',
      mark,
      ids,
      seqs: rows.map(([seq]) => seq),
      fallback: {
        op: 'run',
        sql: 'UPDATE d SET id = id WHERE seq > ? AND id IN (SELECT value FROM json_each(?))',
        params: [mark, JSON.stringify(distinct)],
        expect: distinct.length,
        mismatch: DUPLICATE,
      },
    },
    { op: 'commit' },
  ];
}

function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: { code: string }) => e.code,
  );
}

/** Transaction `tx` (begun after `tx - 1`) records and claims `row`, then a statement of it fails. */
function failsAfterItsClaim(tx: number, row: [number, string]): ThreadStep[] {
  const [begin, insert, claim, commit] = claiming(tx, { rows: [row], after: true });
  const failing: ThreadStep = { op: 'run', sql: 'INSERT INTO d (seq, id) VALUES (1, ?)', params: ['taken-seq'] };
  return [begin, insert, claim, failing, commit] as ThreadStep[];
}

let nextTx = 1;
function run(t: SqliteThread, tx: ClaimingTx): Promise<string> {
  const n = nextTx++;
  return outcome(t.request(n, claiming(n, tx)));
}

describe('SQLite writer thread: claimed decision ids', () => {
  it('refuses an id recorded after the mark, or twice in one transaction, and leaves the ids at or below the mark to the index', async () => {
    const { thread } = await startClaiming();
    expect(await run(thread, { rows: [[1, 'a']] })).toBe('ok');
    expect(await run(thread, { rows: [[2, 'b']] })).toBe('ok');
    expect(await run(thread, { rows: [[3, 'a']] })).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(await run(thread, { rows: [[3, 'b']], mark: 1 })).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(
      await run(thread, {
        rows: [
          [3, 'c'],
          [4, 'c'],
        ],
        mark: 1,
      }),
    ).toBe('SQLITE_CONSTRAINT_UNIQUE');
    // The index's mark passed 'a' (seq 1): the main thread checks it there, not the writer.
    expect(await run(thread, { rows: [[3, 'a']], mark: 1 })).toBe('ok');
  });

  it('sees what another connection committed since, and the mark going back', async () => {
    const { file, thread } = await startClaiming();
    expect(await run(thread, { rows: [[1, 'a']] })).toBe('ok');
    expect(await run(thread, { rows: [[2, 'b']] })).toBe('ok');
    const other = new Database(file);
    try {
      other.prepare('INSERT INTO d (seq, id) VALUES (3, ?)').run('from-another-process');
    } finally {
      other.close();
    }
    expect(await run(thread, { rows: [[4, 'from-another-process']] })).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(await run(thread, { rows: [[4, 'd']] })).toBe('ok');
    expect(await run(thread, { rows: [[5, 'from-another-process']] })).toBe('SQLITE_CONSTRAINT_UNIQUE');
    // The mark moves past 'a' and 'b', then goes back (the index was emptied to be rebuilt).
    expect(await run(thread, { rows: [[5, 'e']], mark: 2 })).toBe('ok');
    expect(await run(thread, { rows: [[6, 'a']], mark: 0 })).toBe('SQLITE_CONSTRAINT_UNIQUE');
  });

  it('across transactions merged into one flush: a duplicate fails alone, and only what committed is remembered', async () => {
    const { thread } = await startClaiming();
    expect(await run(thread, { rows: [[1, 'warm']] })).toBe('ok');
    const first = nextTx;
    nextTx += 5;
    const sent = [
      claiming(first, { rows: [[2, 'x']] }),
      claiming(first + 1, { rows: [[3, 'x']], after: true }),
      claiming(first + 2, { rows: [[3, 'y']], after: true }), // begun after a transaction that fails
      claiming(first + 3, { rows: [[3, 'z']] }),
      failsAfterItsClaim(first + 4, [4, 'w']),
    ].map((s, i) => outcome(thread.request(first + i, s)));
    expect(await Promise.all(sent)).toEqual([
      'ok',
      'SQLITE_CONSTRAINT_UNIQUE',
      'PREDECESSOR_FAILED',
      'ok',
      'SQLITE_CONSTRAINT_PRIMARYKEY',
    ]);
    expect(await run(thread, { rows: [[5, 'x']] })).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(await run(thread, { rows: [[5, 'z']] })).toBe('SQLITE_CONSTRAINT_UNIQUE');
    // Never committed, so free: 'y' (refused before its claim), 'w' (its transaction rolled back).
    expect(await run(thread, { rows: [[5, 'y']] })).toBe('ok');
    expect(await run(thread, { rows: [[6, 'w']] })).toBe('ok');
  });

  it('past the most ids it remembers (the mark standing still), still refuses every duplicate until the mark moves on', async () => {
    const { thread } = await startClaiming(3);
    for (const [seq, id] of [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ] as [number, string][]) {
      expect(await run(thread, { rows: [[seq, id]] })).toBe('ok');
    }
    expect(await run(thread, { rows: [[5, 'b']] })).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(await run(thread, { rows: [[5, 'e']] })).toBe('ok');
    expect(await run(thread, { rows: [[6, 'e']] })).toBe('SQLITE_CONSTRAINT_UNIQUE');
    // The index catches up to seq 3: a, b and c are its to check; d and e still the writer's.
    expect(await run(thread, { rows: [[6, 'd']], mark: 3 })).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(await run(thread, { rows: [[6, 'f']], mark: 3 })).toBe('ok');
    expect(await run(thread, { rows: [[7, 'e']], mark: 3 })).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(await run(thread, { rows: [[7, 'f']], mark: 3 })).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(await run(thread, { rows: [[7, 'a']], mark: 3 })).toBe('ok');
  });
});
