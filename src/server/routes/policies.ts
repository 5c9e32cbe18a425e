import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireEveryTenant } from '../../auth/index.ts';
import { GuardlineError } from '../../errors/index.ts';
import { backgroundSync } from '../../policy-versions/background.ts';
import {
  approvePublication,
  diffPolicies,
  publishPolicy,
  rollbackPolicy,
  syncActivePolicy,
} from '../../policy-versions/index.ts';
import { storedPolicy } from '../../replay/policy-source.ts';
import { ShadowMonitor, shadowReport } from '../../shadow/index.ts';
import type { GuardlineContext } from '../context.ts';
import { authenticateUser, installErrorHandler, parseInput, ready } from './http-common.ts';

const VersionParams = z.object({ version: z.string().min(1).max(200) });
const DiffParams = z.object({ a: z.string().min(1).max(200), b: z.string().min(1).max(200) });
const PublishBody = z.object({
  yaml: z
    .string()
    .min(1)
    .max(512 * 1024),
  label: z.string().min(1).max(80).optional(),
  reason: z.string().min(1).max(500),
});
const ReasonBody = z.object({ reason: z.string().min(1).max(500) });

/**
 * Policy versions over HTTP (managers publish, approve, roll back, start a shadow; any user reads),
 * and the node's background sync: the active version is picked up without a restart, the shadow
 * candidate follows the store.
 */
export async function policiesRoutes(app: FastifyInstance, { ctx }: { ctx: GuardlineContext }): Promise<void> {
  installErrorHandler(app, ctx);
  const sync = backgroundSync(
    app,
    ctx,
    'policy',
    (store, registry) => ({ store, registry, shadow: new ShadowMonitor(store, registry, ctx.logger) }),
    async ({ store, registry, shadow }) => {
      await syncActivePolicy(store, registry, ctx.logger);
      const candidate = await store.shadow.getCandidate();
      if ((candidate?.versionId ?? null) !== shadow.candidateVersion)
        shadow.setCandidate(candidate ? await storedPolicy(store, candidate.versionId) : null);
    },
    ({ shadow }) => shadow.detach(),
  );
  const who = (user: { userId: string }) => `human:${user.userId}`;

  app.get('/v1/policies', async (req) => {
    await authenticateUser(ctx, req, ['rep', 'approver', 'manager']);
    const { store, registry } = ready(ctx);
    const [versions, active, pending, shadow] = await Promise.all([
      store.policies.list(),
      store.policies.getActive(),
      store.publications.listPending(),
      store.shadow.getCandidate(),
    ]);
    return {
      active: active?.id ?? null,
      running: registry.currentPolicy.version,
      shadow: shadow?.versionId ?? null,
      versions: versions.map(({ yaml: _yaml, ...v }) => ({
        ...v,
        active: v.id === active?.id,
        pending: pending.some((p) => p.versionId === v.id),
      })),
    };
  });

  app.get('/v1/policies/:version', async (req) => {
    await authenticateUser(ctx, req, ['rep', 'approver', 'manager']);
    const { version } = parseInput(VersionParams, req.params, 'path');
    const row = await ready(ctx).store.policies.get(version);
    if (!row) throw new GuardlineError('GL_POLICY_VERSION_UNKNOWN', `No policy version ${version}.`);
    return row;
  });

  app.get('/v1/policies/:a/diff/:b', async (req) => {
    await authenticateUser(ctx, req, ['rep', 'approver', 'manager']);
    const { a, b } = parseInput(DiffParams, req.params, 'path');
    const { store } = ready(ctx);
    const [left, right] = await Promise.all([storedPolicy(store, a), storedPolicy(store, b)]);
    return { a, b, changes: diffPolicies(left.policy, right.policy) };
  });

  app.post('/v1/policies', async (req, reply) => {
    const user = await authenticateUser(ctx, req, ['manager']);
    requireEveryTenant(user, 'Publishing a policy');
    const body = parseInput(PublishBody, req.body, 'body');
    const result = await publishPolicy(ready(ctx).store, {
      yaml: body.yaml,
      ...(body.label ? { label: body.label } : {}),
      reason: body.reason,
      author: who(user),
      at: ctx.clock.now(),
      source: 'body.yaml',
    });
    await sync.now();
    const { yaml: _yaml, ...version } = result.version;
    return reply
      .code(result.status === 'pending' ? 202 : 201)
      .send({ version, status: result.status, applies: result.applies });
  });

  app.post('/v1/policies/:version/approve', async (req) => {
    const user = await authenticateUser(ctx, req, ['manager']);
    requireEveryTenant(user, 'Approving a publication');
    const { version } = parseInput(VersionParams, req.params, 'path');
    await approvePublication(ready(ctx).store, version, { actor: who(user), at: ctx.clock.now() });
    await sync.now();
    return { version, status: 'active' };
  });

  app.post('/v1/policies/:version/rollback', async (req) => {
    const user = await authenticateUser(ctx, req, ['manager']);
    requireEveryTenant(user, 'A rollback');
    const { version } = parseInput(VersionParams, req.params, 'path');
    const { reason } = parseInput(ReasonBody, req.body, 'body');
    await rollbackPolicy(ready(ctx).store, version, { actor: who(user), reason, at: ctx.clock.now() });
    await sync.now();
    return { version, status: 'active' };
  });

  app.post('/v1/policies/:version/shadow', async (req) => {
    const user = await authenticateUser(ctx, req, ['manager']);
    requireEveryTenant(user, 'Starting a shadow');
    const { version } = parseInput(VersionParams, req.params, 'path');
    const { reason } = parseInput(ReasonBody, req.body, 'body');
    const { store } = ready(ctx);
    await storedPolicy(store, version);
    await store.shadow.setCandidate(version, { actor: who(user), reason, at: ctx.clock.now() });
    await sync.now();
    return { shadow: version };
  });

  app.delete('/v1/policies/shadow', async (req) => {
    const user = await authenticateUser(ctx, req, ['manager']);
    requireEveryTenant(user, 'Stopping a shadow');
    await ready(ctx).store.shadow.setCandidate(null, { actor: who(user), reason: 'stopped', at: ctx.clock.now() });
    await sync.now();
    return { shadow: null };
  });

  app.get('/v1/policies/:version/shadow-report', async (req) => {
    const user = await authenticateUser(ctx, req, ['approver', 'manager']);
    const { version } = parseInput(VersionParams, req.params, 'path');
    await sync.state()?.shadow.flush();
    return shadowReport(ready(ctx).store, version, { tenantId: user.tenantId });
  });
}
