/**
 * A fake Guardline card backend for the card's unit tests: a real HTTP server on 127.0.0.1 that
 * verifies HubSpot's v3 signature and maps roles with the real `src/hubspot-card` helpers, validates
 * bodies with the shared contract, and keeps approvals, policy versions and suspensions in memory. The real
 * backend routes (src/server) are exercised by the contract test in test/.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GuardlineError } from '../../src/errors/index.ts';
import {
  ApprovalActionBody,
  applyPolicyChanges,
  type CardApproval,
  type CardSession,
  type CardSuspension,
  type HubSpotRoleMapping,
  LiftSuspensionBody,
  PolicyChangeBody,
  type PolicyView,
  requireRole,
  roleForHubSpotUser,
  SessionsQuery,
  SuspendAgentBody,
  TunablePolicy,
  verifyHubSpotRequest,
} from '../../src/hubspot-card/index.ts';

export interface FakeGuardlineState {
  sessions: Record<string, CardSession[]>;
  approvals: Record<string, CardApproval[]>;
  policy: PolicyView;
  policyChanges: { version: string; by: string; reason: string; changes: unknown }[];
  /** Every suspension, active or lifted; the sessions route lists the active ones covering the record's agents and roles. */
  suspensions: CardSuspension[];
}

export interface FakeGuardline {
  baseUrl: string;
  state: FakeGuardlineState;
  requests: { method: string; path: string; body: string }[];
  close(): Promise<void>;
}

function send(res: import('node:http').ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeGuardline(options: {
  clientSecret: string;
  roles: HubSpotRoleMapping;
  state: FakeGuardlineState;
}): Promise<FakeGuardline> {
  const requests: FakeGuardline['requests'] = [];
  let baseUrl = '';

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const url = `${baseUrl}${req.url ?? '/'}`;
      const path = new URL(url).pathname;
      requests.push({ method: req.method ?? 'GET', path, body: rawBody });
      try {
        const who = verifyHubSpotRequest(
          { method: req.method ?? 'GET', url, headers: req.headers, rawBody },
          options.clientSecret,
          Date.now(),
        );
        const role = roleForHubSpotUser(who.userId, [], options.roles);
        route(req.method ?? 'GET', url, rawBody, who.userId, role, res);
      } catch (err) {
        if (err instanceof GuardlineError) return send(res, err.status, err.toJSON());
        send(res, 500, { code: 'GL_GATE_INTERNAL', message: String(err), action: 'Retry.' });
      }
    });
  });

  function route(
    method: string,
    url: string,
    rawBody: string,
    userId: string,
    role: ReturnType<typeof roleForHubSpotUser>,
    res: import('node:http').ServerResponse,
  ) {
    const { pathname, searchParams } = new URL(url);
    const state = options.state;
    if (method === 'GET' && pathname === '/v1/hubspot/sessions') {
      const query = SessionsQuery.parse(
        Object.fromEntries(['objectType', 'objectId'].map((k) => [k, searchParams.get(k)])),
      );
      const key = `${query.objectType}:${query.objectId}`;
      const sessions = state.sessions[key] ?? [];
      const covering = (s: CardSuspension) =>
        s.liftedAt === null &&
        sessions.some(
          (x) => (s.scope === 'agent' && x.agentId === s.target) || (s.scope === 'role' && x.role === s.target),
        );
      return send(res, 200, {
        viewer: { userId, role },
        sessions,
        approvals: state.approvals[key] ?? [],
        suspensions: state.suspensions.filter(covering),
      });
    }
    if (method === 'POST' && pathname === '/v1/hubspot/suspensions') {
      if (role !== 'manager') return send(res, 403, new GuardlineError('GL_AUTH_ROLE').toJSON());
      const body = SuspendAgentBody.parse(JSON.parse(rawBody));
      const action = body.endCalls ? 'end_call' : 'hold';
      const by = `hubspot:${userId}`;
      const same = state.suspensions.find(
        (s) =>
          s.liftedAt === null &&
          s.target === body.target &&
          s.reason === body.reason &&
          s.action === action &&
          s.createdBy === by,
      );
      if (same) return send(res, 200, same);
      const made: CardSuspension = {
        id: `susp-${state.suspensions.length + 1}`,
        scope: 'agent',
        target: body.target,
        action,
        reason: body.reason,
        createdBy: by,
        createdAt: Date.now(),
        liftedBy: null,
        liftedAt: null,
        liftReason: null,
      };
      state.suspensions.push(made);
      return send(res, 201, made);
    }
    const lift = /^\/v1\/hubspot\/suspensions\/([^/]+)\/lift$/.exec(pathname);
    if (method === 'POST' && lift) {
      if (role !== 'manager') return send(res, 403, new GuardlineError('GL_AUTH_ROLE').toJSON());
      const body = LiftSuspensionBody.parse(JSON.parse(rawBody));
      const found = state.suspensions.find((s) => s.id === decodeURIComponent(lift[1] ?? ''));
      if (!found) return send(res, 404, new GuardlineError('GL_SUSPENSION_NOT_FOUND').toJSON());
      if (found.liftedAt === null)
        Object.assign(found, { liftedBy: `hubspot:${userId}`, liftedAt: Date.now(), liftReason: body.reason });
      return send(res, 200, found);
    }
    const action = /^\/v1\/hubspot\/approvals\/([^/]+)\/(approve|deny)$/.exec(pathname);
    if (method === 'POST' && action) {
      requireRole(role, 'approve');
      const body = ApprovalActionBody.parse(JSON.parse(rawBody));
      const approval = Object.values(state.approvals)
        .flat()
        .find((a) => a.id === decodeURIComponent(action[1] ?? ''));
      if (!approval) return send(res, 404, { code: 'GL_NOT_FOUND', message: 'No such approval.', action: 'Reload.' });
      const vote = { approverId: userId, at: Date.now(), reason: body.reason };
      if (approval.status === 'pending' && action[2] === 'deny') {
        approval.status = 'denied';
        approval.denial = vote;
      } else if (approval.status === 'pending' && !approval.approvals.some((v) => v.approverId === userId)) {
        approval.approvals.push(vote); // a retried POST from the same approver changes nothing
        if (approval.approvals.length >= approval.approversRequired) approval.status = 'approved';
      }
      return send(res, 200, approval);
    }
    if (pathname === '/v1/hubspot/policy' && method === 'GET') return send(res, 200, state.policy);
    if (pathname === '/v1/hubspot/policy' && method === 'POST') {
      requireRole(role, 'tune_policy');
      const body = PolicyChangeBody.parse(JSON.parse(rawBody));
      const next = TunablePolicy.parse(applyPolicyChanges(state.policy, body.changes));
      const version = `${state.policy.label}@v${state.policyChanges.length + 2}`;
      state.policy = { ...state.policy, ...next, version };
      state.policyChanges.push({ version, by: userId, reason: body.reason, changes: body.changes });
      return send(res, 200, { version });
    }
    send(res, 404, { code: 'GL_NOT_FOUND', message: 'No such route.', action: 'Check the card version.' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    state: options.state,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
