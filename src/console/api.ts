import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireEveryTenant, tenantVisible } from '../auth/index.ts';
import { GuardlineError, isGuardlineError } from '../errors/index.ts';
import { parsePolicy } from '../policy/index.ts';
import { syncActivePolicy } from '../policy-versions/index.ts';
import type { GuardlineContext } from '../server/context.ts';
import { isReady } from '../server/context.ts';
import { castVote, VoteBody, visibleApproval } from '../server/routes/approvals.ts';
import { approverRolesOf } from '../server/routes/http-common.ts';
import { enforceSuspensionsNow } from '../server/routes/suspensions.ts';
import { liftSuspension, suspend } from '../suspensions/index.ts';
import { type ConsoleMode, type ConsoleUser, consoleUser, requireRole } from './access.ts';
import { ConsoleLiftBody, ConsoleSuspendBody, killSwitchView, suspendRequestOf } from './kill-switch.ts';
import { PolicyTuning, publishTuning, tunablesOf } from './policy-tuning.ts';
import { recentAuditEntries, riskSignals } from './risk-signals.ts';
import { playSampleCall } from './sample-call.ts';
import { approvalView, sessionDetail, sessionsView } from './views.ts';

function input<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new GuardlineError(
    'GL_CONSOLE_INPUT_INVALID',
    `${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    { issues },
  );
}

const IdParam = z.object({ id: z.string().min(1).max(300) });
const SignalsQuery = z.object({
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().positive().optional(),
  bucket: z.coerce
    .number()
    .int()
    .min(1000)
    .max(7 * 86_400_000)
    .optional(),
  agent: z.string().max(200).optional(),
  role: z.string().max(40).optional(),
  policyVersion: z.string().max(200).optional(),
});
const MAX_BUCKETS = 500;

/** This server as a client on this machine reaches it (the sample call connects there). */
function selfUrl(address: AddressInfo): string {
  const any = address.address === '0.0.0.0' || address.address === '::';
  const host = any ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * The console's JSON API under `/console/api`: sessions, a session's decisions, pending approvals
 * with approve/deny, policy tuning, the kill switch, risk signals and the sample call. Every route
 * resolves the console user first (see `access.ts`).
 */
export function consoleApi(mode: Exclude<ConsoleMode, 'off'>) {
  return async (app: FastifyInstance, { ctx }: { ctx: GuardlineContext }): Promise<void> => {
    app.setErrorHandler((error, req, reply) => {
      const gl = isGuardlineError(error)
        ? error
        : (error as { statusCode?: number }).statusCode === 400
          ? new GuardlineError('GL_CONSOLE_INPUT_INVALID', (error as Error).message)
          : null;
      if (!gl) {
        ctx.logger.error({ err: error, url: req.routeOptions.url }, 'console request failed');
        return reply.code(500).send({ code: 'GL_GATE_INTERNAL', message: 'The console request failed.' });
      }
      return reply.code(gl.status).send(gl.toJSON());
    });
    const users = new WeakMap<FastifyRequest, ConsoleUser>();
    app.addHook('onRequest', async (req) => {
      users.set(req, await consoleUser(req, mode, ctx.verifier));
    });
    const userOf = (req: FastifyRequest) => users.get(req) as ConsoleUser;
    const ready = () => {
      if (!isReady(ctx)) throw new GuardlineError(ctx.shuttingDown ? 'GL_SERVER_SHUTTING_DOWN' : 'GL_SERVER_NOT_READY');
      return { store: ctx.store, registry: ctx.registry };
    };

    app.get('/whoami', async (req) => ({ mode, user: userOf(req) }));

    // A user whose token names a tenant sees and acts on that tenant's sessions, approvals and
    // suspensions only, as in the HTTP API; anything else answers as if it did not exist.
    const tenantOf = (req: FastifyRequest) => userOf(req).tenantId;

    app.get('/sessions', async (req) => {
      const { store, registry } = ready();
      return sessionsView(store, registry.sessions(), { tenantId: tenantOf(req) });
    });

    app.get('/sessions/:id', async (req) => {
      const { store } = ready();
      const { id } = input(IdParam, req.params, 'session');
      const detail = await sessionDetail(store, id);
      if (!detail || !tenantVisible(userOf(req), detail.session.tenantId)) {
        throw new GuardlineError('GL_STORE_NOT_FOUND', `No session ${id}.`);
      }
      return detail;
    });

    app.get('/approvals', async (req) => {
      const { store } = ready();
      const pending = (await store.approvals.listPending()).filter((r) => tenantVisible(userOf(req), r.tenantId));
      return { pending: pending.map(approvalView), now: ctx.clock.now() };
    });

    for (const verdict of ['approve', 'deny'] as const) {
      app.post(`/approvals/:id/${verdict}`, async (req) => {
        ready();
        const { id } = input(IdParam, req.params, 'approval');
        const { reason } = input(VoteBody, req.body ?? {}, verdict);
        const user = userOf(req);
        await visibleApproval(ctx, user, id);
        // The approvals domain checks the request's approver role; a manager approves too.
        const result = await castVote(ctx, id, { id: user.id, roles: approverRolesOf(user.roles) }, verdict, reason);
        return { status: result.status, changed: result.changed, approval: approvalView(result.approval) };
      });
    }

    app.get('/policy', async () => {
      const { store } = ready();
      const active = await store.policies.getActive();
      if (!active) throw new GuardlineError('GL_SERVER_NOT_READY', 'No policy is active yet.');
      const parsed = parsePolicy(active.yaml);
      if (!parsed.ok) throw new GuardlineError('GL_POLICY_INVALID', `Active version ${active.id} does not validate.`);
      const versions = (await store.policies.list()).map(({ yaml: _yaml, ...v }) => v);
      return { active: tunablesOf(active, parsed.loaded), versions };
    });

    app.post('/policy', async (req, reply) => {
      const { store, registry } = ready();
      const user = userOf(req);
      requireRole(user, 'manager');
      requireEveryTenant(user, 'Tuning the policy');
      const tuning = input(PolicyTuning, req.body ?? {}, 'policy tuning');
      const result = await publishTuning(store, tuning, { author: user.id, now: ctx.clock.now() });
      if (!result.ok) {
        const detail = result.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
        return reply
          .code(400)
          .send(new GuardlineError('GL_POLICY_INVALID', detail, { issues: result.issues }).toJSON());
      }
      if (result.status === 'active') await syncActivePolicy(store, registry, ctx.logger);
      ctx.logger.info({ version: result.version, by: user.id, status: result.status }, 'policy tuned in the console');
      return { changed: result.status !== 'unchanged', status: result.status, version: result.version };
    });

    app.get('/suspensions', async (req) => killSwitchView(ready().store, tenantOf(req)));

    app.post('/suspensions', async (req, reply) => {
      const { store } = ready();
      const user = userOf(req);
      requireRole(user, 'manager');
      const body = input(ConsoleSuspendBody, req.body ?? {}, 'suspension');
      const row = await suspend(store, suspendRequestOf(body), {
        actor: `human:${user.id}`,
        at: ctx.clock.now(),
        ...(user.tenantId ? { tenantId: user.tenantId } : {}),
      });
      await enforceSuspensionsNow(ctx);
      ctx.logger.info(
        { suspensionId: row.id, scope: row.scope, target: row.target, by: user.id },
        'suspended in the console',
      );
      return reply.code(201).send(row);
    });

    app.post('/suspensions/:id/lift', async (req) => {
      const { store } = ready();
      const user = userOf(req);
      requireRole(user, 'manager');
      const { id } = input(IdParam, req.params, 'suspension');
      const { reason } = input(ConsoleLiftBody, req.body ?? {}, 'lift');
      const row = await liftSuspension(store, id, {
        actor: `human:${user.id}`,
        reason,
        at: ctx.clock.now(),
        ...(user.tenantId ? { tenantId: user.tenantId } : {}),
      });
      await enforceSuspensionsNow(ctx);
      ctx.logger.info({ suspensionId: row.id, by: user.id }, 'suspension lifted in the console');
      return row;
    });

    app.get('/signals', async (req) => {
      const { store } = ready();
      const q = input(SignalsQuery, req.query, 'signals');
      const to = q.to ?? ctx.clock.now();
      const from = q.from ?? to - 60 * 60_000;
      if (from >= to) throw new GuardlineError('GL_CONSOLE_INPUT_INVALID', 'from must be before to.');
      const bucketMs = Math.max(q.bucket ?? 60_000, Math.ceil((to - from) / MAX_BUCKETS));
      const entries = await recentAuditEntries(store);
      return riskSignals(
        entries,
        { from, to, bucketMs },
        {
          tenantId: tenantOf(req),
          ...(q.agent ? { agentId: q.agent } : {}),
          ...(q.role ? { role: q.role } : {}),
          ...(q.policyVersion ? { policyVersion: q.policyVersion } : {}),
        },
      );
    });

    app.post('/sample-call', async (req) => {
      const { registry } = ready();
      requireRole(userOf(req), 'manager');
      const local = selfUrl(app.server.address() as AddressInfo);
      const { sessionId } = await playSampleCall({
        url: local,
        config: ctx.config,
        policy: registry.currentPolicy.policy,
        logger: ctx.logger,
      });
      return { sessionId };
    });
  };
}
