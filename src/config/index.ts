import path from 'node:path';
import { type ConsoleMode, consoleModeFrom } from '../console/access.ts';
import { type CrmConfig, loadCrmConfig } from '../crm/config.ts';
import { GuardlineError } from '../errors/index.ts';
import { DEFAULT_POLICY_PATH } from '../policy/index.ts';
import { type StoreConfig, storeConfigFromEnv } from '../store/config.ts';
import { ServerEnv } from './env.ts';
import { devJwtSecret } from './jwt-secret.ts';

export { ServerEnv } from './env.ts';

export type JwtKeyConfig =
  | {
      kind: 'secret';
      secret: string /** Set when generated into the data dir (development). */;
      file?: string;
      generated?: boolean;
    }
  | { kind: 'public_key'; pem: string };

export interface DeepgramConfig {
  apiKey: string;
  /** Unset: Deepgram's own endpoint. */
  baseUrl?: string;
  model: string;
  /** Audio per message sent to Deepgram, in ms (0: each chunk as it arrives). */
  sendChunkMs: number;
}

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  baseUrl: string;
}

export interface Config {
  port: number;
  host: string;
  policyFile: string;
  jwt: JwtKeyConfig;
  jwtIssuer: string;
  maxFrameBytes: number;
  shutdownGraceMs: number;
  logLevel: ServerEnv['LOG_LEVEL'];
  /** Null: no transcription service (agents send `transcript` messages; Twilio streams fail closed). */
  deepgram: DeepgramConfig | null;
  /** Null: enforcement closes the stream but cannot complete the call through Twilio's REST API. */
  twilio: TwilioConfig | null;
  store: StoreConfig;
  crm: CrmConfig;
  /** Who may use the local console (`GUARDLINE_CONSOLE`). */
  console: ConsoleMode;
}

type Env = NodeJS.ProcessEnv | Record<string, string | undefined>;

function capture<T>(issues: string[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    issues.push(
      e instanceof GuardlineError
        ? e.message.replace(/^The configuration \(environment variables\) is invalid\. /, '')
        : String(e),
    );
    return undefined;
  }
}

/**
 * Reads and validates every variable at once; throws one `GL_CONFIG_INVALID` naming each bad
 * variable. With no variables set at all it gives a working development setup.
 */
export function loadConfig(env: Env = process.env): Config {
  const issues: string[] = [];
  const parsed = ServerEnv.safeParse(env);
  if (!parsed.success) for (const i of parsed.error.issues) issues.push(`${i.path.join('.')}: ${i.message}`);
  const store = capture(issues, () => storeConfigFromEnv(env as NodeJS.ProcessEnv));
  const crm = capture(issues, () => loadCrmConfig(env));
  const consoleMode = capture(issues, () => consoleModeFrom(env as NodeJS.ProcessEnv));
  if (parsed.success) {
    const e = parsed.data;
    if (Boolean(e.TWILIO_ACCOUNT_SID) !== Boolean(e.TWILIO_AUTH_TOKEN)) {
      issues.push('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: set both or neither');
    }
    if (e.GUARDLINE_JWT_SECRET && e.GUARDLINE_JWT_PUBLIC_KEY) {
      issues.push('GUARDLINE_JWT_SECRET and GUARDLINE_JWT_PUBLIC_KEY: set one, not both');
    }
  }
  if (issues.length > 0 || !parsed.success || !store || !crm || !consoleMode) {
    throw new GuardlineError('GL_CONFIG_INVALID', `${issues.join('; ')}.`, { issues });
  }
  const e = parsed.data;
  let jwt: JwtKeyConfig;
  if (e.GUARDLINE_JWT_PUBLIC_KEY) jwt = { kind: 'public_key', pem: e.GUARDLINE_JWT_PUBLIC_KEY };
  else if (e.GUARDLINE_JWT_SECRET) jwt = { kind: 'secret', secret: e.GUARDLINE_JWT_SECRET };
  else {
    const dataDir = path.resolve(env.GUARDLINE_DATA_DIR?.trim() || './data');
    const dev = devJwtSecret(dataDir);
    jwt = { kind: 'secret', secret: dev.secret, file: dev.file, generated: dev.generated };
  }
  const deepgram: DeepgramConfig | null =
    e.DEEPGRAM_API_KEY || e.DEEPGRAM_BASE_URL
      ? {
          // A loopback fake accepts any key; Deepgram itself rejects a missing one (GL_TRANSCRIPTION_AUTH).
          apiKey: e.DEEPGRAM_API_KEY ?? 'no-key-configured',
          ...(e.DEEPGRAM_BASE_URL ? { baseUrl: e.DEEPGRAM_BASE_URL } : {}),
          model: e.DEEPGRAM_MODEL,
          sendChunkMs: e.DEEPGRAM_SEND_CHUNK_MS,
        }
      : null;
  const twilio: TwilioConfig | null =
    e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN
      ? { accountSid: e.TWILIO_ACCOUNT_SID, authToken: e.TWILIO_AUTH_TOKEN, baseUrl: e.TWILIO_API_BASE_URL }
      : null;
  return {
    port: e.PORT,
    host: e.HOST,
    policyFile: e.GUARDLINE_POLICY_FILE ? path.resolve(e.GUARDLINE_POLICY_FILE) : DEFAULT_POLICY_PATH,
    jwt,
    jwtIssuer: e.GUARDLINE_JWT_ISSUER,
    maxFrameBytes: e.GUARDLINE_MAX_FRAME_BYTES,
    shutdownGraceMs: e.GUARDLINE_SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
    deepgram,
    twilio,
    store,
    crm,
    console: consoleMode,
  };
}
