/** Shared by the server tests: a Guardline on 127.0.0.1 (ephemeral port, temp data dir), tokens, session metadata. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mintToken } from '../src/auth/index.ts';
import type { HelloSession } from '../src/client/protocol.ts';
import { loadConfig } from '../src/config/index.ts';
import type { Role } from '../src/model/index.ts';
import type { TranscriberFactory } from '../src/runtime/transcription.ts';
import { Guardline } from '../src/server/guardline.ts';
import { createLogger } from '../src/server/logger.ts';
import type { SessionInput } from '../src/session/inputs.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/types.ts';

/** A TCP port free on 127.0.0.1 now (for a server whose public URL must be known before it starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export const SECRET = 'test-secret-test-secret-test-secret-0123';
export const SHORT_POLICY = path.resolve(import.meta.dirname, 'fixtures/policies/short-timeouts.yaml');

export interface TestServer {
  gl: Guardline;
  url: string;
  dir: string;
  agentToken(
    agentId?: string,
    roles?: Role[],
    options?: { tenant?: string; ttlSeconds?: number; now?: number },
  ): Promise<string>;
  close(): Promise<void>;
}

/** A copy of the short-timeouts policy with some timeouts changed. */
export function policyFile(dir: string, timeouts: Record<string, number>): string {
  let text = readFileSync(SHORT_POLICY, 'utf8');
  for (const [key, value] of Object.entries(timeouts))
    text = text.replace(new RegExp(`${key}: \\d+`), `${key}: ${value}`);
  const file = path.join(dir, `policy-${Object.values(timeouts).join('-')}.yaml`);
  writeFileSync(file, text);
  return file;
}

export async function startServer(
  options: {
    env?: Record<string, string>;
    policy?: (dir: string) => string;
    transcribers?: TranscriberFactory | null;
    helloTimeoutMs?: number;
    /** Wraps the store the server opens (to watch or break what it does). */
    store?: (store: Store) => Store;
  } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'guardline-server-'));
  const env = {
    PORT: '0',
    HOST: '127.0.0.1',
    GUARDLINE_DATA_DIR: dir,
    GUARDLINE_JWT_SECRET: SECRET,
    GUARDLINE_POLICY_FILE: options.policy ? options.policy(dir) : SHORT_POLICY,
    LOG_LEVEL: 'silent',
    ...options.env,
  };
  const config = loadConfig(env);
  const opened = options.store ? await openStore(config.store, { onKeyGenerated: () => {} }) : null;
  const gl = await Guardline.start({
    config,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    crmWorker: false,
    ...(opened && options.store ? { store: options.store(opened) } : {}),
    ...(options.transcribers !== undefined ? { transcribers: options.transcribers } : {}),
    ...(options.helloTimeoutMs ? { helloTimeoutMs: options.helloTimeoutMs } : {}),
  });
  return {
    gl,
    url: gl.url,
    dir,
    agentToken: (agentId = 'agent-1', roles = ['booking', 'closing'], o = {}) =>
      mintToken(
        SECRET,
        { kind: 'agent', agentId, tenantId: o.tenant ?? 'acme', roles },
        { ttlSeconds: o.ttlSeconds ?? 600, ...(o.now ? { now: o.now } : {}) },
      ),
    async close() {
      await gl.shutdown('test done');
      await opened?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let n = 0;
/** An inbound call in New York (inbound: no calling-hours rule; NY: AI disclosure only). */
export function helloSession(overrides: Partial<HelloSession> = {}): HelloSession {
  n += 1;
  return {
    callId: `call-${process.pid}-${Date.now()}-${n}`,
    channel: 'voice',
    direction: 'inbound',
    role: 'closing',
    jurisdiction: 'NY',
    timezone: 'America/New_York',
    contactId: '101',
    ...overrides,
  };
}

/** An IANA zone where it is 3 a.m. now (outside every calling window). */
export function nightZone(now = Date.now()): string {
  const utcHour = new Date(now).getUTCHours();
  const offset = ((utcHour - 3 + 36) % 24) - 12;
  if (offset === 0) return 'Etc/GMT';
  return offset > 0 ? `Etc/GMT+${offset}` : `Etc/GMT${offset}`;
}

export function disclosureText(): string {
  const m = /disclosure_text: "([^"]+)"/.exec(readFileSync(SHORT_POLICY, 'utf8'));
  if (!m?.[1]) throw new Error('no disclosure_text in the policy');
  return m[1];
}

/** The <Parameter>s of a Guardline <Stream> for agent-1 of acme. */
export const TWILIO_CALL_PARAMETERS = {
  direction: 'inbound',
  role: 'closing',
  jurisdiction: 'NY',
  timezone: 'America/New_York',
  agentId: 'agent-1',
  tenantId: 'acme',
  contactId: '101',
};

/**
 * Makes a live session's statechart throw an internal error on the inputs `fails` picks, to test
 * failing closed. `fails` sees each input before it is applied; the others apply as usual.
 */
export function breakApply(server: TestServer, sessionId: string, fails: (input: SessionInput) => boolean): void {
  const guarded = server.gl.registry?.get(sessionId)?.guarded;
  if (!guarded) throw new Error(`no live session ${sessionId}`);
  const apply = guarded.apply.bind(guarded);
  guarded.apply = (input) => {
    if (fails(input)) throw new Error(`an internal error while applying ${input.type}`);
    return apply(input);
  };
}
