import { z } from 'zod';
import { GuardlineError } from '../errors/index.ts';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const positiveInt = (fallback: number, max: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().positive().max(max).default(fallback));

/**
 * The HubSpot side of Guardline's configuration, read from the environment. Only Guardline holds
 * the token; agents never see it. Without a token every allowed write stays in the outbox as
 * `not_configured`.
 */
export const CrmEnv = z.object({
  HUBSPOT_ACCESS_TOKEN: z.preprocess(blankToUndefined, z.string().min(8).optional()),
  HUBSPOT_BASE_URL: z.preprocess(blankToUndefined, z.url().default('https://api.hubapi.com')),
  /** Per-request timeout; `@hubspot/api-client` has none of its own. */
  HUBSPOT_TIMEOUT_MS: positiveInt(10_000, 120_000),
  /** The portal's burst limit (requests per rolling 10 s); HubSpot's default for private apps is 100. */
  HUBSPOT_RATE_LIMIT_PER_10S: positiveInt(100, 10_000),
  /** The custom property (single-line text) that carries each create's write id. */
  HUBSPOT_WRITE_ID_PROPERTY: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/)
      .default('guardline_write_id'),
  ),
  /** Where Guardline's UI lives; call records link to `${url}/sessions/${sessionId}`. */
  GUARDLINE_PUBLIC_URL: z.preprocess(blankToUndefined, z.url().default('http://localhost:8080')),
});

export interface CrmConfig {
  accessToken: string | undefined;
  baseUrl: string;
  timeoutMs: number;
  ratePer10s: number;
  writeIdProperty: string;
  publicUrl: string;
}

/** Parses the CRM variables of `env`; throws `GL_CONFIG_INVALID` naming each bad variable. */
export function loadCrmConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>): CrmConfig {
  const parsed = CrmEnv.safeParse(env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new GuardlineError('GL_CONFIG_INVALID', detail);
  }
  const e = parsed.data;
  return {
    accessToken: e.HUBSPOT_ACCESS_TOKEN,
    baseUrl: e.HUBSPOT_BASE_URL.replace(/\/+$/, ''),
    timeoutMs: e.HUBSPOT_TIMEOUT_MS,
    ratePer10s: e.HUBSPOT_RATE_LIMIT_PER_10S,
    writeIdProperty: e.HUBSPOT_WRITE_ID_PROPERTY,
    publicUrl: e.GUARDLINE_PUBLIC_URL.replace(/\/+$/, ''),
  };
}
