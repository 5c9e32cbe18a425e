import { describe, expect, it } from 'vitest';
import { storeError } from '../src/store/errors.ts';
import { BACKENDS } from './store-backends.ts';

/** The error the database itself raises for `sql`, as the store would report it. */
async function reported(run: (sql: string) => Promise<unknown>, sql: string): Promise<unknown> {
  try {
    await run(sql);
  } catch (e) {
    return storeError(e);
  }
  throw new Error(`expected "${sql}" to fail`);
}

describe.each(BACKENDS)('store errors from $name', (backend) => {
  it('only a duplicate is a conflict; other constraint failures are write failures', async () => {
    const place = await backend.place();
    const run = (sql: string) => place.sql(sql);
    try {
      await place.open(); // creates the place (on PostgreSQL, its schema)
      await run('CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER CHECK (n > 0))');
      await run("INSERT INTO t (id, name, n) VALUES ('a', 'x', 1)");
      expect(await reported(run, "INSERT INTO t (id, name, n) VALUES ('a', 'y', 1)")).toMatchObject({
        code: 'GL_STORE_CONFLICT',
      });
      expect(await reported(run, "INSERT INTO t (id, name, n) VALUES ('b', 'x', 1)")).toMatchObject({
        code: 'GL_STORE_CONFLICT',
      });
      expect(await reported(run, "INSERT INTO t (id, name, n) VALUES ('c', NULL, 1)")).toMatchObject({
        code: 'GL_STORE_WRITE_FAILED',
      });
      expect(await reported(run, "INSERT INTO t (id, name, n) VALUES ('d', 'z', 0)")).toMatchObject({
        code: 'GL_STORE_WRITE_FAILED',
      });
    } finally {
      await place.cleanup();
    }
  });
});
