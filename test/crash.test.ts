/**
 * Crash test (issue 5, law 8): a runtime child process under load (several agents proposing as fast
 * as the protocol allows, a few hundred decisions per second) is killed with SIGKILL at random moments,
 * 20 times. After each kill, with the process gone: the audit chain verifies, every decision any
 * client received is stored, every approval a client saw requested is still pending, and nothing is
 * duplicated. Then the runtime restarts on the same data and the load goes on.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/audit/verify.ts';
import { mintToken } from '../src/auth/index.ts';
import { GuardlineAgent } from '../src/client/index.ts';
import type { Decision } from '../src/model/index.ts';
import { sqliteConfig } from '../src/store/config.ts';
import { openStore } from '../src/store/open.ts';
import { bundleServerEntry, type RuntimeChild, startRuntime } from './multi-node-runtime.ts';
import { disclosureText, helloSession, policyFile, SECRET } from './server-harness.ts';

const KILLS = Number(process.env.GUARDLINE_CRASH_KILLS ?? 20);
const AGENTS_PER_RUN = 4;
const IN_FLIGHT = 16;
const AUDIT_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let dir: string;
let bundle: Awaited<ReturnType<typeof bundleServerEntry>>;
let env: Record<string, string>;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'guardline-crash-'));
  bundle = await bundleServerEntry(`crash-test-${process.pid}`);
  env = {
    GUARDLINE_DATA_DIR: dir,
    GUARDLINE_AUDIT_KEY: AUDIT_KEY,
    GUARDLINE_JWT_SECRET: SECRET,
    GUARDLINE_CONSOLE: 'off',
    LOG_LEVEL: 'warn',
    GUARDLINE_POLICY_FILE: policyFile(dir, {
      max_call_seconds: 3600,
      wrap_up_warning_seconds: 60,
      silence_seconds: 600,
      approval_wait_seconds: 600,
    }),
  };
});
afterAll(() => {
  bundle?.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** What the clients were told, across every run. */
const received = new Map<string, Decision>();
const pendingSeen = new Set<string>();

/** One agent proposing until its connection dies; every decision it receives is kept. */
async function loadOne(url: string, agentId: string, started: () => void): Promise<void> {
  const token = await mintToken(
    SECRET,
    { kind: 'agent', agentId, tenantId: 'crash', roles: ['closing'] },
    { ttlSeconds: 600 },
  );
  let agent: GuardlineAgent;
  try {
    agent = await GuardlineAgent.connect({ url, token, session: helloSession(), timeoutMs: 5_000 });
  } catch {
    return; // killed before ready
  }
  const keep = (d: Decision) => {
    received.set(d.id, d);
    if (d.outcome === 'needs_approval' && d.approval) pendingSeen.add(d.approval.id);
  };
  let alive = true;
  const closed = new Promise<void>((resolve) => agent.on('close', () => resolve()));
  void closed.then(() => {
    alive = false;
  });
  // A proposal sent as the connection dies may never be answered: stop waiting once it is closed.
  const propose = (kind: string, params: unknown) =>
    Promise.race([agent.propose(kind, params).then(keep), closed]).catch(() => {
      alive = false;
    });
  await propose('say', { text: disclosureText() });
  await propose('concession', { type: 'percent_off', value: 20 }); // held: a pending approval
  started();
  let n = 0;
  const worker = async () => {
    while (alive) await propose('say', { text: `Line ${n++} of the pitch: our plan includes onboarding.` });
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/** The chain up to here verified already; each run verifies from it on (the last run verifies all of it). */
let verifiedSeq = 0;

async function verifyAfterKill(run: number, whole: boolean): Promise<void> {
  const store = await openStore(sqliteConfig(path.join(dir, 'guardline.db'), AUDIT_KEY), { readOnly: true });
  try {
    const report = await verifyChain(store.audit, {
      publicKey: createPublicKey(AUDIT_KEY),
      ...(whole || verifiedSeq === 0 ? {} : { from: verifiedSeq }),
    });
    expect(report.ok, `run ${run}: ${report.problem?.message}`).toBe(true);
    verifiedSeq = report.lastSeq;
    const sessions = new Set([...received.values()].map((d) => d.sessionId));
    const stored = new Map<string, Decision>();
    for (const id of sessions) {
      const decisions = await store.decisions.listBySession(id);
      const proposals = decisions.map((d) => d.proposalId);
      expect(new Set(proposals).size, `run ${run}: a proposal decided twice in ${id}`).toBe(proposals.length);
      for (const d of decisions) stored.set(d.id, d);
    }
    const missing = [...received.keys()].filter((id) => !stored.has(id));
    expect(missing, `run ${run}: decisions a client received are missing`).toEqual([]);
    for (const [id, d] of received) expect(stored.get(id)).toEqual(d);
    for (const approvalId of pendingSeen) {
      expect((await store.approvals.get(approvalId))?.status, `run ${run}: ${approvalId}`).toBe('pending');
    }
    const entries = await store.audit.range(1, await store.audit.maxSeq());
    expect(new Set(entries.map((e) => e.id)).size, `run ${run}: duplicated audit entries`).toBe(entries.length);
    const decisionEntries = entries.filter((e) => e.kind === 'decision').length;
    expect(decisionEntries, `run ${run}: decision rows vs audit entries`).toBeGreaterThanOrEqual(received.size);
  } finally {
    await store.close();
  }
}

describe('SIGKILL under load, 20 times', () => {
  it('keeps every acknowledged decision and pending approval, once, in a chain that verifies', async () => {
    let perRun: number[] = [];
    const started = Date.now();
    for (let run = 0; run < KILLS; run++) {
      const runtime: RuntimeChild = await startRuntime(env, { entry: bundle.entry });
      const before = received.size;
      let running = 0;
      let allRunning: () => void = () => {};
      const loaded = new Promise<void>((resolve) => {
        allRunning = resolve;
      });
      const load = Promise.all(
        Array.from({ length: AGENTS_PER_RUN }, (_, i) =>
          loadOne(runtime.url, `agent-${run}-${i}`, () => {
            running += 1;
            if (running === AGENTS_PER_RUN) allRunning();
          }),
        ),
      );
      // Kill at a random moment once every agent is proposing (under load, not at start-up).
      await Promise.race([loaded, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 500));
      await runtime.kill();
      await load;
      perRun = [...perRun, received.size - before];
      await verifyAfterKill(run, run === KILLS - 1);
    }
    const seconds = (Date.now() - started) / 1000;
    console.info(
      `[crash] ${KILLS} kills in ${seconds.toFixed(1)} s; ${received.size} decisions received (per run: ${perRun.join(', ')}); ${pendingSeen.size} pending approvals kept`,
    );
    expect(perRun.every((n) => n > 0)).toBe(true);
    expect(pendingSeen.size).toBeGreaterThan(0);
  }, 120_000);
});
