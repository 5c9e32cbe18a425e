/**
 * SQLite's WAL is copied back into the database file by the checkpointer thread, on its own,
 * while the writer thread keeps committing: no commit waits for a checkpoint.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDb } from '../src/store/sqlite.ts';
import { WRITER_AUTOCHECKPOINT_BYTES } from '../src/store/sqlite-checkpointer.ts';
import { NEW_FILE_PAGE_SIZE } from '../src/store/sqlite-thread.ts';

let dir = '';
let db: SqliteDb | null = null;

afterEach(async () => {
  await db?.close();
  db = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(options: { walRestartBytes?: number } = {}): Promise<{ file: string; db: SqliteDb }> {
  dir = mkdtempSync(path.join(os.tmpdir(), 'guardline-ckpt-'));
  const file = path.join(dir, 'guardline.db');
  db = await openSqlite(file, options);
  await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  return { file, db };
}

/** Commits `rows` rows of 1 KB in transactions of 50. */
async function write(target: SqliteDb, from: number, rows: number): Promise<void> {
  const body = 'x'.repeat(1000);
  for (let i = from; i < from + rows; i += 50) {
    await target.transaction(async (tx) => {
      for (let j = i; j < i + 50; j++) await tx.write('INSERT INTO t (id, body) VALUES (?, ?)', [j, body]);
    });
  }
}

const pageCount = (file: string) => statSync(file).size / NEW_FILE_PAGE_SIZE;

describe('SQLite checkpointer', () => {
  it('copies committed pages into the database file without being asked', async () => {
    const { file, db: target } = await open();
    const before = pageCount(file);
    // About 1 MB: far below the writer's own automatic checkpoint, so only the checkpointer
    // thread can move them out of the WAL.
    await write(target, 0, 1000);
    const deadline = Date.now() + 5000;
    while (pageCount(file) < before + 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(pageCount(file)).toBeGreaterThanOrEqual(before + 200);
  });

  it('checkpoints everything on demand once the writer is idle, and the data reads back', async () => {
    const { file, db: target } = await open();
    await write(target, 0, 500);
    const result = await target.checkpoint();
    expect(result).not.toBeNull();
    expect(result?.log).toBeGreaterThan(0);
    expect(result?.checkpointed).toBe(result?.log);
    await write(target, 500, 500);
    await target.close();
    db = null;
    const check = new Database(file, { readonly: true });
    try {
      expect(check.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1000 });
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      check.close();
    }
  });

  it("leaves checkpoints to the checkpointer: the writer's own is only a far-off backstop", async () => {
    const { db: target } = await open();
    const [pages] = await target.transaction((tx) =>
      tx.all<{ wal_autocheckpoint: number }>('PRAGMA wal_autocheckpoint'),
    );
    const [size] = await target.transaction((tx) => tx.all<{ page_size: number }>('PRAGMA page_size'));
    expect((pages?.wal_autocheckpoint ?? 0) * (size?.page_size ?? 0)).toBe(WRITER_AUTOCHECKPOINT_BYTES);
    expect(WRITER_AUTOCHECKPOINT_BYTES).toBeGreaterThan(1000 * 4096); // SQLite's default, per commit
  });

  it('gives a new file small pages and leaves an existing file its own', async () => {
    const { db: fresh } = await open();
    const [size] = await fresh.transaction((tx) => tx.all<{ page_size: number }>('PRAGMA page_size'));
    expect(size?.page_size).toBe(NEW_FILE_PAGE_SIZE);
    expect(NEW_FILE_PAGE_SIZE).toBeLessThan(4096);
    await fresh.close();
    db = null;

    const file = path.join(dir, 'made-elsewhere.db');
    const made = new Database(file);
    made.pragma('journal_mode = WAL');
    made.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('before')");
    expect(made.pragma('page_size', { simple: true })).toBe(4096);
    made.close();
    const existing = await openSqlite(file);
    db = existing;
    await existing.transaction((tx) => tx.run("INSERT INTO t (v) VALUES ('after')"));
    expect(await existing.read.all('SELECT v FROM t ORDER BY id')).toEqual([{ v: 'before' }, { v: 'after' }]);
    const [kept] = await existing.transaction((tx) => tx.all<{ page_size: number }>('PRAGMA page_size'));
    expect(kept?.page_size).toBe(4096);
  });

  it('starts the WAL over under writes that never pause, instead of letting it grow to the backstop', async () => {
    const { file, db: target } = await open({ walRestartBytes: 1 << 20 });
    // About 10 MB, a transaction every millisecond or so (1.5 s or more), each sent without waiting
    // for the one before: the checkpointer alone never finds the WAL fully copied when a write begins.
    const body = 'x'.repeat(900);
    const commits: Promise<unknown>[] = [];
    let id = 0;
    while (id * body.length < 10_000_000) {
      const from = id;
      id += 8;
      commits.push(
        target.transaction(async (tx) => {
          for (let j = from; j < from + 8; j++) await tx.write('INSERT INTO t (id, body) VALUES (?, ?)', [j, body]);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(commits);
    expect(await target.read.all('SELECT count(*) AS n FROM t')).toEqual([{ n: id }]);
    expect(statSync(`${file}-wal`).size).toBeLessThan(4 << 20);
  });

  it('keeps committing while a checkpoint runs', async () => {
    const { db: target } = await open();
    await write(target, 0, 2000);
    const [checkpoint] = await Promise.all([target.checkpoint(), write(target, 2000, 2000)]);
    expect(checkpoint).not.toBeNull();
    const rows = await target.read.all<{ n: number }>('SELECT count(*) AS n FROM t');
    expect(rows[0]?.n).toBe(4000);
  });
});
