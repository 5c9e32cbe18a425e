import { createPublicKey, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { JwtKeyConfig } from '../config/index.ts';
import { GuardlineError } from '../errors/index.ts';
import { Role } from '../model/roles.ts';

export const AUDIENCE = 'guardline';
export const UserRole = z.enum(['rep', 'approver', 'manager']);
export type UserRole = z.infer<typeof UserRole>;

const Id = z.string().min(1).max(200);

/** An agent's identity: who it is, for which tenant, and the roles it may start sessions in. */
export const AgentClaims = z.object({
  kind: z.literal('agent'),
  agentId: Id,
  tenantId: Id,
  roles: z.array(Role).min(1),
});
export type AgentClaims = z.infer<typeof AgentClaims>;

/** A human's identity for the approvals API and the CRM card backend. */
export const UserClaims = z.object({
  kind: z.literal('user'),
  userId: Id,
  tenantId: Id.optional(),
  roles: z.array(UserRole).min(1),
});
export type UserClaims = z.infer<typeof UserClaims>;

export type Identity = (AgentClaims | UserClaims) & { expiresAt: number };

const Payload = z.object({
  sub: Id,
  gl: z.enum(['agent', 'user']),
  tenant: Id.optional(),
  roles: z.array(z.string()).min(1),
  exp: z.number(),
});

/** The key that verifies tokens: the HS256 secret, or a production public key. */
export interface TokenVerifier {
  verify(token: string, now?: number): Promise<Identity>;
}

function algorithmsFor(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512'];
    case 'ec':
      return ['ES256', 'ES384', 'ES512'];
    case 'ed25519':
      return ['EdDSA'];
    default:
      throw new GuardlineError(
        'GL_CONFIG_INVALID',
        `GUARDLINE_JWT_PUBLIC_KEY: unsupported key type ${key.asymmetricKeyType}`,
      );
  }
}

export function createVerifier(config: JwtKeyConfig, issuer: string): TokenVerifier {
  let key: Uint8Array | KeyObject;
  let algorithms: string[];
  if (config.kind === 'secret') {
    key = new TextEncoder().encode(config.secret);
    algorithms = ['HS256'];
  } else {
    try {
      key = createPublicKey(config.pem);
    } catch (e) {
      throw new GuardlineError('GL_CONFIG_INVALID', `GUARDLINE_JWT_PUBLIC_KEY: ${(e as Error).message}`);
    }
    algorithms = algorithmsFor(key);
  }
  return {
    async verify(token, now = Date.now()) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms,
          issuer,
          audience: AUDIENCE,
          currentDate: new Date(now),
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (e) {
        if (e instanceof joseErrors.JWTExpired) throw new GuardlineError('GL_AUTH_EXPIRED');
        throw new GuardlineError('GL_AUTH_INVALID', (e as { code?: string }).code ?? 'unreadable token');
      }
      return identityOf(payload);
    },
  };
}

function identityOf(payload: unknown): Identity {
  const p = Payload.safeParse(payload);
  if (!p.success) throw new GuardlineError('GL_AUTH_INVALID', 'The token lacks Guardline claims (sub, gl, roles).');
  const expiresAt = p.data.exp * 1000;
  const claims =
    p.data.gl === 'agent'
      ? AgentClaims.safeParse({ kind: 'agent', agentId: p.data.sub, tenantId: p.data.tenant, roles: p.data.roles })
      : UserClaims.safeParse({ kind: 'user', userId: p.data.sub, tenantId: p.data.tenant, roles: p.data.roles });
  if (!claims.success)
    throw new GuardlineError('GL_AUTH_INVALID', `Bad ${p.data.gl} claims: ${claims.error.issues[0]?.message}`);
  return { ...claims.data, expiresAt };
}

/** `15m`, `2h`, `30s`, `7d` or plain seconds. */
export function parseTtl(text: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!m) throw new GuardlineError('GL_CONFIG_INVALID', `--ttl ${JSON.stringify(text)}: use e.g. 30s, 15m, 2h or 7d`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(m[1]) * unit;
  if (seconds <= 0 || seconds > 365 * 86_400)
    throw new GuardlineError('GL_CONFIG_INVALID', '--ttl must be between 1 s and 365 d');
  return seconds;
}

/** Mints an HS256 token (development: `guardline token`, tests, the demo). */
export async function mintToken(
  secret: string,
  claims: AgentClaims | UserClaims,
  options: { ttlSeconds: number; issuer?: string; now?: number },
): Promise<string> {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const subject = claims.kind === 'agent' ? claims.agentId : claims.userId;
  return new SignJWT({ gl: claims.kind, roles: claims.roles, ...(claims.tenantId ? { tenant: claims.tenantId } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(options.issuer ?? 'guardline')
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + options.ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}
