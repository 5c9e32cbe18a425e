import { GuardlineError } from '../../src/errors/index.ts';
import { SessionMeta } from '../../src/model/session-meta.ts';
import type { TwilioStart } from './messages.ts';

/**
 * The `<Parameter>` names Guardline reads from a Twilio `<Stream>` (they arrive in
 * `start.customParameters`). The call id is always Twilio's `callSid` and the channel is `voice`.
 */
export const TWILIO_SESSION_PARAMETERS = {
  required: ['direction', 'role', 'jurisdiction', 'timezone', 'agentId', 'tenantId'],
  /** `sessionId` defaults to the call SID. */
  optional: ['sessionId', 'contactId', 'dealId'],
} as const;

const KNOWN = new Set<string>([...TWILIO_SESSION_PARAMETERS.required, ...TWILIO_SESSION_PARAMETERS.optional]);

export interface TwilioSessionStart {
  meta: SessionMeta;
  streamSid: string;
  callSid: string;
  accountSid: string;
  /** Parameters Guardline does not interpret (e.g. an agent token), passed on untouched. */
  extraParameters: Record<string, string>;
}

/**
 * Maps a Twilio `start` message to a Guardline `SessionMeta`. Every missing or invalid parameter
 * is listed in one `GL_TWILIO_PARAMETERS_INVALID` error (details.issues: `{ parameter, message }`).
 */
export function sessionMetaFromTwilioStart(start: TwilioStart): TwilioSessionStart {
  const params = start.start.customParameters;
  const issues: { parameter: string; message: string }[] = [];
  for (const name of TWILIO_SESSION_PARAMETERS.required) {
    if (params[name] === undefined || params[name] === '') issues.push({ parameter: name, message: 'is required' });
  }
  const candidate = {
    sessionId: params.sessionId || start.start.callSid,
    callId: start.start.callSid,
    channel: 'voice',
    direction: params.direction,
    role: params.role,
    jurisdiction: params.jurisdiction,
    timezone: params.timezone,
    agentId: params.agentId,
    tenantId: params.tenantId,
    contactId: params.contactId || undefined,
    dealId: params.dealId || undefined,
  };
  const parsed = SessionMeta.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const parameter = issue.path.join('.') || '(root)';
      if (!issues.some((known) => known.parameter === parameter)) issues.push({ parameter, message: issue.message });
    }
  }
  if (issues.length > 0 || !parsed.success) {
    const listed = issues.map((issue) => `${issue.parameter} ${issue.message}`).join('; ');
    throw new GuardlineError('GL_TWILIO_PARAMETERS_INVALID', `${listed}.`, { issues });
  }
  const extraParameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (!KNOWN.has(name)) extraParameters[name] = value;
  return {
    meta: parsed.data,
    streamSid: start.start.streamSid,
    callSid: start.start.callSid,
    accountSid: start.start.accountSid,
    extraParameters,
  };
}
