/**
 * The floor under the store's added latency, measured in the same run: about the least that a
 * durable, hash-chained, signed group commit into SQLite costs on this machine, built the plainest
 * way Node.js allows.
 * - The calling thread chains each decision (the store's own `chainEntry`: canonical JSON, body
 *   hash, link hash) and, once per turn of the event loop, signs the head (Ed25519) and posts
 *   every decision of the turn to the writer in one message.
 * - The writer thread takes every message waiting, inserts their rows (the audit entry, a decision
 *   row, the signed head) in one transaction and commits it (WAL, `synchronous=FULL`, 1 KiB
 *   pages, as the store), then answers. It starts the WAL over when asked, as the store's does.
 * - A checkpoint thread at nice 10 copies the WAL back (PASSIVE) and fdatasyncs the database file
 *   every 100 ms, and asks the writer to finish the copy once the WAL holds 16 MiB, as the
 *   store's maintenance thread does.
 * What it leaves out is what the store adds over it: the session index and its catch-ups, the
 * decision-id check, units that read, retries, the committer's pipelining.
 */
import { sign } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { chainEntry, headMessage } from '../src/audit/hash.ts';
import { parsePrivateKey } from '../src/audit/keys.ts';
import type { Decision } from '../src/model/index.ts';

const WRITER = `'use strict';
const { parentPort, receiveMessageOnPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('page_size = 1024');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 65536');
db.exec(\`CREATE TABLE entries (seq INTEGER PRIMARY KEY, id TEXT, at INTEGER, session_id TEXT, actor TEXT,
  kind TEXT, payload TEXT, body_hash TEXT, prev_hash TEXT, hash TEXT);
CREATE TABLE decisions (audit_seq INTEGER PRIMARY KEY, id TEXT, session_id TEXT, outcome TEXT, at INTEGER);
CREATE TABLE heads (seq INTEGER PRIMARY KEY, hash TEXT, signature TEXT)\`);
const entry = db.prepare('INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
const decision = db.prepare('INSERT INTO decisions VALUES (?, ?, ?, ?, ?)');
const head = db.prepare('INSERT INTO heads VALUES (?, ?, ?)');
parentPort.postMessage({ ready: true });
parentPort.on('message', (first) => {
  const batches = [];
  for (let m = first; m; ) {
    if (m.restart) db.pragma('wal_checkpoint(PASSIVE)');
    else batches.push(m);
    const next = receiveMessageOnPort(parentPort);
    m = next && next.message;
  }
  if (batches.length === 0) return;
  db.exec('BEGIN IMMEDIATE');
  for (const b of batches) {
    for (const r of b.rows) {
      entry.run(r.seq, r.id, r.at, r.sessionId, r.actor, r.kind, r.payload, r.bodyHash, r.prevHash, r.hash);
      decision.run(r.seq, r.decisionId, r.sessionId, r.outcome, r.at);
    }
    head.run(b.head.seq, b.head.hash, b.head.signature);
  }
  db.exec('COMMIT');
  parentPort.postMessage(batches.map((b) => b.id));
});`;

const CHECKPOINTER = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
try {
  require('node:os').setPriority(Number(fs.readlinkSync('/proc/thread-self').split('/').pop()), 10);
} catch {}
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const fd = fs.openSync(workerData.file, 'r');
parentPort.on('message', (m) => {
  if (m.close) { fs.closeSync(fd); db.close(); parentPort.close(); return; }
  const row = db.pragma('wal_checkpoint(PASSIVE)')[0];
  fs.fdatasyncSync(fd);
  parentPort.postMessage(row);
});`;

const RESTART_BYTES = 16 << 20;
const RESTART_RESIDUAL_PAGES = 512;
const PAGE_SIZE = 1024;

interface Row {
  seq: number;
  id: string;
  at: number;
  sessionId: string | null;
  actor: string;
  kind: string;
  payload: string;
  bodyHash: string;
  prevHash: string;
  hash: string;
  decisionId: string;
  outcome: string;
}

export class MinimalGroupCommit {
  private seq = 0;
  private hash = '0'.repeat(64);
  private rows: Row[] = [];
  private settle: (() => void)[] = [];
  private scheduled = false;
  private nextId = 1;
  private readonly waiting = new Map<number, (() => void)[]>();
  private readonly timer: NodeJS.Timeout;
  private checkpointing = false;

  private constructor(
    private readonly writer: Worker,
    private readonly checkpointer: Worker,
    private readonly key: ReturnType<typeof parsePrivateKey>,
  ) {
    writer.on('message', (ids: number[]) => {
      for (const id of ids) {
        for (const resolve of this.waiting.get(id) ?? []) resolve();
        this.waiting.delete(id);
      }
    });
    checkpointer.on('message', (row: { log: number; checkpointed: number }) => {
      this.checkpointing = false;
      const residual = row.log - row.checkpointed;
      if (row.log * PAGE_SIZE >= RESTART_BYTES && residual <= RESTART_RESIDUAL_PAGES) {
        writer.postMessage({ restart: true });
      }
    });
    this.timer = setInterval(() => {
      if (this.checkpointing) return;
      this.checkpointing = true;
      checkpointer.postMessage({});
    }, 100);
  }

  /** A new database `guardline-floor.db` in `dir`; heads signed with `keyPem` (PKCS#8). */
  static async open(dir: string, keyPem: string): Promise<MinimalGroupCommit> {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const workerData = { file: path.join(dir, 'guardline-floor.db'), driver };
    const writer = new Worker(WRITER, { eval: true, workerData });
    await new Promise((resolve, reject) => {
      writer.once('message', resolve);
      writer.once('error', reject);
    });
    const checkpointer = new Worker(CHECKPOINTER, { eval: true, workerData });
    return new MinimalGroupCommit(writer, checkpointer, parsePrivateKey(keyPem));
  }

  /** Resolves once the decision is durable. */
  record(item: { actor: string; decision: Decision }): Promise<void> {
    const d = item.decision;
    const entry = chainEntry(
      {
        id: `decision:${d.id}`,
        at: d.at,
        sessionId: d.sessionId,
        actor: item.actor,
        kind: 'decision',
        payload: d as never,
        policyVersion: d.policyVersion,
      },
      this.seq + 1,
      this.hash,
    );
    this.seq = entry.seq;
    this.hash = entry.hash;
    this.rows.push({
      seq: entry.seq,
      id: entry.id,
      at: entry.at,
      sessionId: entry.sessionId,
      actor: entry.actor,
      kind: entry.kind,
      payload: entry.payloadText,
      bodyHash: entry.bodyHash,
      prevHash: entry.prevHash,
      hash: entry.hash,
      decisionId: d.id,
      outcome: d.outcome,
    });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.send());
    }
    return new Promise((resolve) => this.settle.push(resolve));
  }

  private send(): void {
    this.scheduled = false;
    const id = this.nextId++;
    const signature = sign(null, headMessage(this.seq, this.hash), this.key).toString('base64');
    this.waiting.set(id, this.settle);
    this.writer.postMessage({ id, rows: this.rows, head: { seq: this.seq, hash: this.hash, signature } });
    this.rows = [];
    this.settle = [];
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const closed = new Promise((resolve) => this.checkpointer.once('exit', resolve));
    this.checkpointer.postMessage({ close: true });
    await closed;
    await this.writer.terminate();
  }
}
