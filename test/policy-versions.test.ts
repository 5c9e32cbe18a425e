import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/index.ts';
import { policyDiff } from '../src/cli/commands/policy/diff.ts';
import { policyList } from '../src/cli/commands/policy/list.ts';
import { policyPublish } from '../src/cli/commands/policy/publish.ts';
import { GuardlineAgent } from '../src/client/index.ts';
import { type LocalServer, startLocalServer } from '../src/demo/server.ts';
import { canonicalJson } from '../src/model/canonical-json.ts';
import { DEFAULT_POLICY_PATH } from '../src/policy/index.ts';
import { diffPolicies } from '../src/policy-versions/index.ts';
import { exportRecording, replayRecording } from '../src/replay/index.ts';
import { storedPolicy } from '../src/replay/policy-source.ts';

const SECRET = 'policy-versions-secret-0123456789abcdef';
const DEFAULT_YAML = readFileSync(DEFAULT_POLICY_PATH, 'utf8');
const DISCLOSE = /disclosure_text: "([^"]+)"/.exec(DEFAULT_YAML)?.[1] as string;

/** The default policy with the closing role's automatic discount cap changed, and a publishing block. */
function variant(autoMax: number, publishing: string, label = 'default'): string {
  return `${DEFAULT_YAML.replace(/auto_max_percent: 10 #.*/, `auto_max_percent: ${autoMax}`).replace(/^label: default$/m, `label: ${label}`)}\npublishing: ${publishing}\n`;
}

let dir: string;
let server: LocalServer;
let manager: string;
let manager2: string;

async function api(method: string, url: string, token: string, body?: unknown) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function closingCall(): Promise<GuardlineAgent> {
  const agent = await GuardlineAgent.connect({
    url: server.url,
    token: await server.agentToken('agent-pv', ['closing']),
    session: {
      callId: `pv-${Date.now()}-${Math.random()}`,
      channel: 'voice',
      direction: 'inbound',
      role: 'closing',
      jurisdiction: 'NY',
      timezone: 'America/New_York',
    },
  });
  await agent.propose('say', { text: DISCLOSE });
  return agent;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'guardline-pv-'));
  server = await startLocalServer({ dataDir: dir, secret: SECRET });
  manager = await server.userToken('mgr-a', ['manager']);
  manager2 = await server.userToken('mgr-b', ['manager']);
});
afterAll(async () => {
  await server.gl.shutdown('test done');
  rmSync(dir, { recursive: true, force: true });
});

describe('policy versions over HTTP', () => {
  it('publishing needs the manager role', async () => {
    const rep = await server.userToken('rep-1', ['rep']);
    const res = await api('POST', '/v1/policies', rep, { yaml: variant(8, '{ applies: new_sessions }'), reason: 'x' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('GL_AUTH_ROLE');
  });

  it("a manager of one tenant may not change the policy every tenant's calls run on", async () => {
    const tenantManager = await mintToken(
      SECRET,
      { kind: 'user', userId: 'mgr-beta', tenantId: 'beta', roles: ['manager'] },
      { ttlSeconds: 600 },
    );
    const before = await api('GET', '/v1/policies', manager);
    const attempts = [
      api('POST', '/v1/policies', tenantManager, { yaml: variant(7, '{ applies: new_sessions }'), reason: 'x' }),
      api('POST', `/v1/policies/${String(before.body.active)}/rollback`, tenantManager, { reason: 'x' }),
      api('POST', `/v1/policies/${String(before.body.active)}/shadow`, tenantManager, { reason: 'x' }),
      api('DELETE', '/v1/policies/shadow', tenantManager),
    ];
    for (const res of await Promise.all(attempts)) expect([res.status, res.body.code]).toEqual([403, 'GL_AUTH_SCOPE']);
    expect((await api('GET', '/v1/policies', manager)).body).toEqual(before.body);
  });

  it('a version for new sessions leaves a live session on its version; new sessions take it', async () => {
    const live = await closingCall();
    const before = server.gl.registry.currentPolicy.version;
    const res = await api('POST', '/v1/policies', manager, {
      yaml: variant(8, '{ applies: new_sessions }', 'eight'),
      reason: 'try 8%',
    });
    expect(res.status).toBe(201);
    const version = (res.body.version as { id: string }).id;
    expect(version).toMatch(/^eight@/);
    expect(server.gl.registry.currentPolicy.version).toBe(version);
    const d = await live.propose('concession', { type: 'percent_off', value: 9 });
    expect(d).toMatchObject({ outcome: 'allow', policyVersion: before });
    const fresh = await closingCall();
    const d2 = await fresh.propose('concession', { type: 'percent_off', value: 9 });
    expect(d2).toMatchObject({ outcome: 'needs_approval', policyVersion: version });
    await live.close();
    await fresh.close();
  });

  it('a tighter bound that applies at once changes the next decision of a live session, and replay follows it', async () => {
    const live = await closingCall();
    const first = await live.propose('concession', { type: 'percent_off', value: 5 });
    expect(first.outcome).toBe('allow');
    const res = await api('POST', '/v1/policies', manager, {
      yaml: variant(2, '{ applies: immediately }', 'tight'),
      reason: 'margin squeeze: tighten now',
    });
    expect(res.status).toBe(201);
    expect(res.body.applies).toBe('immediately');
    const version = (res.body.version as { id: string }).id;
    await new Promise((r) => setTimeout(r, 50));
    const next = await live.propose('concession', { type: 'percent_off', value: 5 });
    expect(next).toMatchObject({ outcome: 'needs_approval', policyVersion: version });
    const sessionId = live.sessionId;
    await live.close();
    await new Promise((r) => setTimeout(r, 100));
    const recording = await exportRecording(server.gl.store, sessionId);
    expect(recording.inputs.some((i) => i.type === 'policy')).toBe(true);
    const replayed = replayRecording(recording);
    expect(replayed.mode).toBe('exact');
    expect(canonicalJson(replayed.decisions)).toBe(canonicalJson(recording.decisions));
  });

  it('a second approver, when the active policy asks for one; not the requester', async () => {
    let res = await api('POST', '/v1/policies', manager, {
      yaml: variant(2, '{ applies: new_sessions, second_approver: true }', 'guarded'),
      reason: 'changes need two managers from now on',
    });
    expect(res.body.status).toBe('active');
    res = await api('POST', '/v1/policies', manager, {
      yaml: variant(4, '{ applies: new_sessions }', 'four'),
      reason: 'r',
    });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('pending');
    const version = (res.body.version as { id: string }).id;
    expect(server.gl.registry.currentPolicy.version).not.toBe(version);
    res = await api('POST', `/v1/policies/${encodeURIComponent(version)}/approve`, manager);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('GL_POLICY_SECOND_APPROVER');
    res = await api('POST', `/v1/policies/${encodeURIComponent(version)}/approve`, manager2);
    expect(res.status).toBe(200);
    expect(server.gl.registry.currentPolicy.version).toBe(version);
    const audit = await server.gl.store.audit.range(1, 10_000);
    expect(audit.map((e) => e.kind)).toEqual(
      expect.arrayContaining([
        'policy_created',
        'policy_activated',
        'policy_publication_requested',
        'policy_publication_decided',
      ]),
    );
  });

  it('lists versions and diffs their rules, and rolls back', async () => {
    const list = await api('GET', '/v1/policies', manager);
    const versions = list.body.versions as { id: string; parent: string | null; author: string }[];
    expect(versions.length).toBeGreaterThanOrEqual(4);
    const eight = versions.find((v) => v.id.startsWith('eight@'))?.id as string;
    const tight = versions.find((v) => v.id.startsWith('tight@'))?.id as string;
    const diff = await api(
      'GET',
      `/v1/policies/${encodeURIComponent(eight)}/diff/${encodeURIComponent(tight)}`,
      manager,
    );
    expect(diff.body.changes).toEqual(
      expect.arrayContaining([
        { path: 'roles.closing.concessions.auto_max_percent', before: 8, after: 2, direction: 'tighter' },
        { path: 'label', before: 'eight', after: 'tight', direction: null },
      ]),
    );
    const back = await api('POST', `/v1/policies/${encodeURIComponent(eight)}/rollback`, manager, {
      reason: 'too tight',
    });
    expect(back.status).toBe(200);
    expect(server.gl.registry.currentPolicy.version).toBe(eight);
  });
});

describe('policy CLI', () => {
  const io = (env: Record<string, string>) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c) => {
      out += c;
    });
    stderr.on('data', (c) => {
      err += c;
    });
    return { io: { stdout, stderr, stdin: new PassThrough(), env }, out: () => out, err: () => err };
  };

  it('publishes, lists and diffs against a store; a running runtime picks it up', async () => {
    const file = path.join(dir, 'cli.yaml');
    writeFileSync(file, variant(6, '{ applies: new_sessions }', 'cli'));
    const env = { GUARDLINE_DATA_DIR: dir, GUARDLINE_AUDIT_KEY: '' };
    const pub = io(env);
    // The active version needs a second approver only if it says so; roll back to one that does not first.
    const code = await policyPublish.run(
      [file, '--label', 'cli-six', '--reason', 'from the CLI', '--author', 'mgr-c'],
      pub.io,
    );
    expect(code, pub.err()).toBe(0);
    expect(pub.out()).toMatch(/cli-six@[0-9a-f]{12}/);
    const version = /(cli-six@[0-9a-f]{12})/.exec(pub.out())?.[1] as string;
    await expect.poll(() => server.gl.registry.currentPolicy.version, { timeout: 3000 }).toBe(version);
    const list = io(env);
    expect(await policyList.run([], list.io)).toBe(0);
    expect(list.out()).toContain(`* ${version}`);
    const eight = (await server.gl.store.policies.list()).find((v) => v.id.startsWith('eight@'))?.id as string;
    const d = io(env);
    expect(await policyDiff.run([eight, version], d.io)).toBe(0);
    expect(d.out()).toContain('roles.closing.concessions.auto_max_percent: 8 → 6 (tighter)');
    const a = await storedPolicy(server.gl.store, eight);
    const b = await storedPolicy(server.gl.store, version);
    expect(diffPolicies(a.policy, b.policy).length).toBe(2);
  });
});
