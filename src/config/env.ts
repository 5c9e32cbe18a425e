import { z } from 'zod';

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());
const int = (fallback: number, min: number, max: number) =>
  z.preprocess(blank, z.coerce.number().int().min(min).max(max).default(fallback));

/**
 * Every environment variable the server reads, with its default. This schema is the single
 * source: the README's table (docs/readme/server.md) lists the same names. Store (`DATABASE_URL`,
 * `GUARDLINE_DATA_DIR`, `GUARDLINE_DB_SCHEMA`, `GUARDLINE_AUDIT_KEY`) and HubSpot (`HUBSPOT_*`)
 * variables are validated by their own modules and composed in `loadConfig`.
 */
export const ServerEnv = z.object({
  PORT: int(8787, 0, 65_535),
  HOST: z.preprocess(blank, z.string().min(1).default('0.0.0.0')),
  GUARDLINE_POLICY_FILE: opt(z.string().min(1)),
  /** HS256 signing secret for agent and user tokens (at least 32 characters). */
  GUARDLINE_JWT_SECRET: opt(z.string().min(32, 'must be at least 32 characters')),
  /** PEM (SPKI) public key that verifies tokens in production (RS256, ES256 or EdDSA). */
  GUARDLINE_JWT_PUBLIC_KEY: opt(
    z.string().includes('-----BEGIN PUBLIC KEY-----', { message: 'must be a PEM public key' }),
  ),
  GUARDLINE_JWT_ISSUER: z.preprocess(blank, z.string().min(1).default('guardline')),
  /** Largest text frame or audio chunk accepted on a WebSocket; larger ones get an error and are ignored. */
  GUARDLINE_MAX_FRAME_BYTES: int(65_536, 1_024, 16 * 1024 * 1024),
  /** How long after SIGTERM Guardline waits for in-flight writes before closing. */
  GUARDLINE_SHUTDOWN_GRACE_MS: int(5_000, 0, 120_000),
  LOG_LEVEL: z.preprocess(
    blank,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  DEEPGRAM_API_KEY: opt(z.string().min(1)),
  DEEPGRAM_BASE_URL: opt(z.string().regex(/^(wss?|https?):\/\//, 'must be a ws(s):// or http(s):// URL')),
  DEEPGRAM_MODEL: z.preprocess(blank, z.string().min(1).default('nova-3')),
  /** Call audio is sent to Deepgram in messages of about this many ms (Deepgram recommends 20–250); 0: as it arrives. */
  DEEPGRAM_SEND_CHUNK_MS: int(100, 0, 250),
  TWILIO_ACCOUNT_SID: opt(z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits')),
  TWILIO_AUTH_TOKEN: opt(z.string().min(8)),
  TWILIO_API_BASE_URL: z.preprocess(blank, z.url().default('https://api.twilio.com')),
});
export type ServerEnv = z.infer<typeof ServerEnv>;
