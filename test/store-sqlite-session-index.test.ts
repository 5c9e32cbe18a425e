/**
 * On SQLite the audit entries' session index lives in a file of its own beside the store's
 * (`src/store/sqlite-session-index.ts`): catching it up never waits for the store's writer, and
 * the file can be lost, or outlive the database it indexed, without a read going wrong.
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sessionIndexFile } from '../src/store/sqlite-session-index.ts';
import type { Store } from '../src/store/types.ts';
import { BACKENDS, type Place } from './store-backends.ts';
import { decision } from './store-fixtures.ts';

const sqlite = BACKENDS.find((b) => b.name === 'sqlite');
if (!sqlite) throw new Error('the SQLite backend always runs');

let place: Place;
let file: string;

beforeEach(async () => {
  place = await sqlite.place();
  if (place.config.kind !== 'sqlite') throw new Error('expected a SQLite place');
  file = place.config.file;
});
afterEach(async () => {
  await place.cleanup();
});

async function record(store: Store, ...items: [id: string, sessionId: string][]): Promise<void> {
  for (const [id, sessionId] of items) await store.record({ actor: 'agent:a', decision: decision(id, sessionId) });
}

const ids = async (store: Store, sessionId: string) =>
  (await store.decisions.listBySession(sessionId)).map((d) => d.id);

/** Removes the file and SQLite's WAL and shared-memory files beside it. */
function remove(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

describe('SQLite session index file', () => {
  it("catches up while another connection holds the store file's write lock", async () => {
    const store = await place.open();
    await record(store, ['d1', 's1'], ['d2', 's2']);
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      await vi.waitFor(
        async () =>
          expect(await place.sql('SELECT session_id FROM audit_session_index ORDER BY seq')).toEqual([
            { session_id: 's1' },
            { session_id: 's2' },
          ]),
        { timeout: 2000, interval: 50 },
      );
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('is rebuilt from the chain when it was deleted, and reads are right meanwhile', async () => {
    let store = await place.open();
    await record(store, ['d1', 's1'], ['d2', 's2'], ['d3', 's1']);
    await store.close();
    remove(sessionIndexFile(file));
    store = await place.open();
    expect(await ids(store, 's1')).toEqual(['d1', 'd3']);
    await store.close();
    expect(existsSync(sessionIndexFile(file))).toBe(true);
    expect(await place.sql('SELECT session_id FROM audit_session_index ORDER BY seq')).toHaveLength(3);
  });

  it('is rebuilt when the database was restored from an older copy, and names no entry twice', async () => {
    let store = await place.open();
    await record(store, ['d1', 's1']);
    await store.close();
    copyFileSync(file, `${file}.backup`);
    store = await place.open();
    await record(store, ['d2', 's1'], ['d3', 's1'], ['d4', 's2']);
    await store.close();
    // The index file now covers entries the restored database never had.
    remove(file);
    copyFileSync(`${file}.backup`, file);
    store = await place.open();
    // Takes the seq d2 had in the index file's eyes.
    await record(store, ['d5', 's2']);
    expect(await ids(store, 's1')).toEqual(['d1']);
    expect(await ids(store, 's2')).toEqual(['d5']);
    await store.close();
    expect(await place.sql('SELECT session_id FROM audit_session_index ORDER BY seq')).toEqual([
      { session_id: 's1' },
      { session_id: 's2' },
    ]);
  });

  it('holds the decision ids too: a file made before they were indexed is rebuilt, and the ids stay unique', async () => {
    let store = await place.open();
    await record(store, ['d1', 's1'], ['d2', 's2']);
    await store.close();
    // As an index file written before decision_ids existed: its mark covers both entries.
    const index = new Database(sessionIndexFile(file));
    index.exec('DROP TABLE decision_ids');
    index.close();
    expect(Number((await place.sql("SELECT seq FROM index_marks WHERE name = 'audit_session_index'"))[0]?.seq)).toBe(2);
    store = await place.open();
    expect(await place.sql('SELECT id FROM decision_ids ORDER BY seq')).toEqual([{ id: 'd1' }, { id: 'd2' }]);
    await expect(record(store, ['d1', 's1'])).rejects.toMatchObject({ code: 'GL_STORE_CONFLICT' });
    await record(store, ['d3', 's1']);
    expect(await ids(store, 's1')).toEqual(['d1', 'd3']);
    await store.close();
  });

  it('has no unique index on the decision id in the store file (009)', async () => {
    const store = await place.open();
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'decisions'").all(),
      ).toEqual([]);
    } finally {
      db.close();
    }
  });
});
