import type { FastifyInstance, FastifyRequest } from 'fastify';
import { stringify } from 'yaml';
import { z } from 'zod';
import { Policy } from '../../../policies/schema.ts';
import type { Approver } from '../../approvals/index.ts';
import { requireEveryTenant, tenantVisible } from '../../auth/index.ts';
import { GuardlineError, isGuardlineError } from '../../errors/index.ts';
import {
  ApprovalActionBody,
  applyPolicyChanges,
  type CardApproval,
  type CardSession,
  type HubSpotIdentity,
  type HubSpotRoleMapping,
  PolicyChangeBody,
  type PolicyView,
  parseHubSpotPortals,
  parseHubSpotRoleMapping,
  requireRole,
  roleForHubSpotUser,
  SessionsQuery,
  signedRequestUri,
  TunablePolicy,
  tenantForPortal,
  type ViewerRole,
  verifyHubSpotRequest,
} from '../../hubspot-card/index.ts';
import type { LoadedPolicy } from '../../policy/index.ts';
import { publishPolicy, syncActivePolicy } from '../../policy-versions/index.ts';
import type { ApprovalRow, SessionRow, Store } from '../../store/types.ts';
import type { GuardlineContext } from '../context.ts';
import { castVote, visibleApproval } from './approvals.ts';
import { approverRolesOf, installErrorHandler, parseInput, ready } from './http-common.ts';
import { cardSuspensionRoutes, suspensionsAffecting } from './hubspot-card-suspensions.ts';

/**
 * What the card backend needs beyond the server config: the app's client secret, the role mapping,
 * and the HubSpot accounts served with their tenants (absent or null: any account, unscoped).
 */
export interface HubSpotCardConfig {
  /** Null: nothing can be verified, every card request is refused (fail closed). */
  clientSecret: string | null;
  roles: HubSpotRoleMapping;
  portals?: ReadonlyMap<string, string> | null;
}

/**
 * `GUARDLINE_HUBSPOT_CLIENT_SECRET`, `GUARDLINE_HUBSPOT_ROLES` and `GUARDLINE_HUBSPOT_PORTALS`
 * (GL_CONFIG_INVALID when malformed).
 */
export function loadHubSpotCardConfig(env: Record<string, string | undefined>): HubSpotCardConfig {
  const secret = env.GUARDLINE_HUBSPOT_CLIENT_SECRET?.trim();
  return {
    clientSecret: secret ? secret : null,
    roles: parseHubSpotRoleMapping(env.GUARDLINE_HUBSPOT_ROLES),
    portals: parseHubSpotPortals(env.GUARDLINE_HUBSPOT_PORTALS),
  };
}

interface Caller {
  who: HubSpotIdentity;
  role: ViewerRole;
  /** The tenant of the caller's HubSpot account (GUARDLINE_HUBSPOT_PORTALS); undefined: every tenant. */
  tenantId: string | undefined;
}
const callers = new WeakMap<FastifyRequest, Caller>();
const MAX_CARD_SESSIONS = 10;
const IdParams = z.object({ id: z.string().min(1).max(300) });

function callerOf(req: FastifyRequest): Caller {
  const caller = callers.get(req);
  if (!caller) throw new GuardlineError('GL_AUTH_SIGNATURE');
  return caller;
}

function jsonBody(req: FastifyRequest): unknown {
  const raw = typeof req.body === 'string' ? req.body : '';
  if (raw === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new GuardlineError('GL_REQUEST_INVALID', 'The body is not JSON.');
  }
}

/** The card's view of an approval request. */
export function cardApproval(row: ApprovalRow): CardApproval {
  const vote = (v: ApprovalRow['votes'][number]) => ({ approverId: v.approverId, at: v.at, reason: v.reason });
  const denial = row.votes.find((v) => v.verdict === 'deny');
  return {
    id: row.id,
    sessionId: row.sessionId,
    decisionId: row.decisionId,
    kind: row.kind,
    bound: row.bound,
    reason: row.reason,
    status: row.status,
    deadline: row.deadline,
    approversRequired: row.approversRequired,
    approvals: row.votes.filter((v) => v.verdict === 'approve').map(vote),
    denial: denial ? vote(denial) : null,
  };
}

async function cardSession(store: Store, row: SessionRow): Promise<CardSession> {
  return {
    id: row.id,
    callId: row.meta.callId,
    channel: row.meta.channel,
    role: row.meta.role,
    status: row.endedAt === null ? 'live' : 'ended',
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    agentId: row.meta.agentId,
    policyVersion: row.policyVersion,
    decisions: await store.decisions.listBySession(row.id),
  };
}

/** The tunable part of a policy, as the card edits it. */
export function policyView(loaded: LoadedPolicy): PolicyView {
  const p = loaded.policy;
  const concessions = (role: 'booking' | 'transfer' | 'closing') => {
    const c = p.roles[role].concessions;
    return {
      concessions: {
        auto_max_percent: c.auto_max_percent,
        approval_max_percent: c.approval_max_percent,
        max_count: c.max_count,
        cumulative_max_percent: c.cumulative_max_percent,
      },
    };
  };
  const t = p.timeouts;
  return {
    version: loaded.version,
    label: p.label,
    roles: { booking: concessions('booking'), transfer: concessions('transfer'), closing: concessions('closing') },
    timeouts: {
      max_call_seconds: t.max_call_seconds,
      wrap_up_warning_seconds: t.wrap_up_warning_seconds,
      silence_seconds: t.silence_seconds,
      approval_wait_seconds: t.approval_wait_seconds,
    },
  };
}

/**
 * The CRM card's backend (`/v1/hubspot/*`, docs/card-api.md). Every request must carry HubSpot's v3
 * signature over the exact raw body and the URL built from GUARDLINE_PUBLIC_URL (401 GL_AUTH_SIGNATURE
 * otherwise); the signed HubSpot user is mapped to a role by GUARDLINE_HUBSPOT_ROLES.
 */
export async function hubspotCardRoutes(app: FastifyInstance, { ctx }: { ctx: GuardlineContext }): Promise<void> {
  installErrorHandler(app, ctx);
  const config = ctx.hubspotCard ?? { clientSecret: null, roles: { approver: [], manager: [] } };
  if (config.clientSecret && !config.portals) {
    ctx.logger.warn(
      'GUARDLINE_HUBSPOT_PORTALS is not set: the card serves every HubSpot account the app is installed in, across all tenants',
    );
  }
  // Keep the raw body: the signature covers the exact bytes HubSpot sent.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.addHook('preHandler', async (req) => {
    // The matched route, not the raw URL: the router decodes `%68ubspot`, `startsWith` on req.url would not.
    if (!req.routeOptions.url?.startsWith('/v1/hubspot/')) return;
    if (!config.clientSecret) {
      throw new GuardlineError(
        'GL_AUTH_SIGNATURE',
        'GUARDLINE_HUBSPOT_CLIENT_SECRET is not set, so no card request can be verified.',
      );
    }
    const who = verifyHubSpotRequest(
      {
        method: req.method,
        url: signedRequestUri(ctx.config.crm.publicUrl, req.url),
        headers: req.headers,
        rawBody: typeof req.body === 'string' ? req.body : '',
      },
      config.clientSecret,
      ctx.clock.now(),
    );
    const tenantId = tenantForPortal(config.portals ?? null, who.portalId);
    callers.set(req, { who, role: roleForHubSpotUser(who.userId, [], config.roles), tenantId });
  });

  app.get('/v1/hubspot/sessions', async (req) => {
    const { who, role, tenantId } = callerOf(req);
    const query = parseInput(SessionsQuery, req.query, 'query');
    const { store } = ready(ctx);
    const rows = (await store.sessions.listByCrmObject(query.objectType, query.objectId))
      .filter((r) => tenantVisible({ tenantId }, r.meta.tenantId))
      .sort((a, b) => Number(b.endedAt === null) - Number(a.endedAt === null) || b.startedAt - a.startedAt)
      .slice(0, MAX_CARD_SESSIONS);
    const sessions = await Promise.all(rows.map((r) => cardSession(store, r)));
    const approvals = (await Promise.all(rows.map((r) => store.approvals.listBySession(r.id)))).flat();
    return {
      viewer: { userId: who.userId, role },
      sessions,
      approvals: approvals.map(cardApproval),
      suspensions: await suspensionsAffecting(store, rows),
    };
  });

  for (const verdict of ['approve', 'deny'] as const) {
    app.post(`/v1/hubspot/approvals/:id/${verdict}`, async (req) => {
      const { who, role, tenantId } = callerOf(req);
      requireRole(role, 'approve');
      const { id } = parseInput(IdParams, req.params, 'path');
      const { reason } = parseInput(ApprovalActionBody, jsonBody(req), 'body');
      await visibleApproval(ctx, { tenantId }, id);
      const approver: Approver = { id: `hubspot:${who.userId}`, roles: approverRolesOf([role]) };
      try {
        const result = await castVote(ctx, id, approver, verdict, reason);
        return cardApproval(result.approval);
      } catch (e) {
        // HubSpot may retry a POST: a decided or expired request is returned as it stands.
        if (!isGuardlineError(e) || (e.code !== 'GL_APPROVAL_CLOSED' && e.code !== 'GL_APPROVAL_EXPIRED')) throw e;
        const row = await ready(ctx).store.approvals.get(id);
        if (!row) throw e;
        return cardApproval(row);
      }
    });
  }

  cardSuspensionRoutes(app, ctx, { callerOf, jsonBody });

  app.get('/v1/hubspot/policy', async (req) => {
    callerOf(req);
    return policyView(ready(ctx).registry.currentPolicy);
  });

  app.post('/v1/hubspot/policy', async (req) => {
    const { who, role, tenantId } = callerOf(req);
    requireRole(role, 'tune_policy');
    requireEveryTenant({ tenantId }, 'Tuning the policy');
    const body = parseInput(PolicyChangeBody, jsonBody(req), 'body');
    const { store, registry } = ready(ctx);
    const current = registry.currentPolicy;
    const tuned = parseInput(TunablePolicy, applyPolicyChanges(policyView(current), body.changes), 'changes');
    const next = structuredClone(current.policy);
    for (const r of ['booking', 'transfer', 'closing'] as const) {
      Object.assign(next.roles[r].concessions, tuned.roles[r].concessions);
    }
    Object.assign(next.timeouts, tuned.timeouts);
    const checked = Policy.safeParse(next);
    if (!checked.success) {
      throw new GuardlineError('GL_POLICY_INVALID', checked.error.issues.map((i) => i.message).join('; '), {
        issues: checked.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    const author = `hubspot:${who.userId}`;
    const result = await publishPolicy(store, {
      yaml: stringify(checked.data),
      reason: body.reason,
      author,
      at: ctx.clock.now(),
    });
    if (result.status !== 'pending') await syncActivePolicy(store, registry, ctx.logger);
    ctx.logger.info(
      { version: result.loaded.version, author, status: result.status },
      'policy published from the card',
    );
    return { version: result.loaded.version, status: result.status };
  });
}
