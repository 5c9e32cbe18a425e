import { AgentClaims, mintToken, parseTtl, UserClaims } from '../../auth/index.ts';
import { loadConfig } from '../../config/index.ts';
import { parseArgs, UsageError } from '../args.ts';
import { type Command, err, out } from '../command.ts';

/**
 * Mints a development token with the configured HS256 secret (GUARDLINE_JWT_SECRET, or the one
 * generated in GUARDLINE_DATA_DIR), so a newcomer can connect an agent in one step. The token is
 * printed to stdout only.
 */
export const token: Command = {
  path: ['token'],
  usage: 'token (--agent ID --tenant T --roles booking,closing | --user ID --roles approver [--tenant T]) [--ttl 15m]',
  summary: 'mint a development agent or user token signed with the configured secret',
  async run(args, io) {
    const { values } = parseArgs(args, {
      agent: { type: 'string' },
      user: { type: 'string' },
      tenant: { type: 'string' },
      roles: { type: 'string' },
      ttl: { type: 'string', default: '15m' },
    });
    if (Boolean(values.agent) === Boolean(values.user) || !values.roles)
      throw new UsageError('give --agent or --user (one of them) and --roles');
    const roles = values.roles
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    const claims = values.agent
      ? AgentClaims.safeParse({ kind: 'agent', agentId: values.agent, tenantId: values.tenant, roles })
      : UserClaims.safeParse({
          kind: 'user',
          userId: values.user,
          ...(values.tenant ? { tenantId: values.tenant } : {}),
          roles,
        });
    if (!claims.success) {
      const issues = claims.error.issues.map(
        (i) =>
          `${i.path.join('.') === 'tenantId' ? '--tenant' : i.path.join('.') === 'roles' || i.path[0] === 'roles' ? '--roles' : i.path.join('.')}: ${i.message}`,
      );
      const roleHint = values.agent
        ? 'agent roles: booking, transfer, closing; --tenant is required'
        : 'user roles: rep, approver, manager';
      throw new UsageError(`GL_CONFIG_INVALID: ${issues.join('; ')}\n  ${roleHint}`);
    }
    const config = loadConfig(io.env);
    if (config.jwt.kind !== 'secret') {
      err(
        io,
        'GL_CONFIG_INVALID: GUARDLINE_JWT_PUBLIC_KEY is set: tokens are minted by your identity provider, not by this command.',
      );
      return 1;
    }
    const ttlSeconds = parseTtl(values.ttl);
    out(io, await mintToken(config.jwt.secret, claims.data, { ttlSeconds, issuer: config.jwtIssuer }));
    return 0;
  },
};
