import { z } from 'zod';
import { GuardlineError } from '../../src/errors/index.ts';

/** Credentials and endpoint for Twilio's REST API (base URL configurable so tests use a loopback fake). */
export interface TwilioRestConfig {
  accountSid: string;
  authToken: string;
  /** Default `https://api.twilio.com`. */
  baseUrl?: string;
  /** Default 5000. */
  timeoutMs?: number;
}

/** What Guardline did to a call, for the audit trail. */
export interface TwilioCallCompletion {
  callSid: string;
  /** Twilio's status for the call after the request (`completed` when it worked). */
  status: string;
  httpStatus: number;
  requestedAt: number;
  respondedAt: number;
}

const CallResource = z.object({ sid: z.string(), status: z.string() });
const TwilioErrorBody = z.object({ code: z.number().optional(), message: z.string().optional() });

/**
 * Ends a live call: `POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json` with
 * `Status=completed` (form-encoded), HTTP basic auth AccountSid:AuthToken. Throws
 * `GL_TWILIO_REST_FAILED` (details: httpStatus, twilioCode, twilioMessage) on any failure.
 */
export async function completeTwilioCall(config: TwilioRestConfig, callSid: string): Promise<TwilioCallCompletion> {
  const baseUrl = (config.baseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '');
  const url = `${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Calls/${encodeURIComponent(callSid)}.json`;
  const auth = Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64');
  const requestedAt = Date.now();
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Basic ${auth}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ Status: 'completed' }).toString(),
      signal: AbortSignal.timeout(config.timeoutMs ?? 5000),
    });
  } catch (err) {
    throw new GuardlineError('GL_TWILIO_REST_FAILED', `Request failed: ${(err as Error).message}.`, {
      callSid,
      httpStatus: null,
    });
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = TwilioErrorBody.safeParse(body);
    const twilioCode = error.success ? (error.data.code ?? null) : null;
    const twilioMessage = error.success ? (error.data.message ?? null) : null;
    throw new GuardlineError(
      'GL_TWILIO_REST_FAILED',
      `HTTP ${response.status}${twilioCode ? ` (Twilio ${twilioCode}: ${twilioMessage})` : ''}.`,
      { callSid, httpStatus: response.status, twilioCode, twilioMessage },
    );
  }
  const call = CallResource.safeParse(body);
  if (!call.success) {
    throw new GuardlineError('GL_TWILIO_REST_FAILED', 'The response is not a Call resource.', {
      callSid,
      httpStatus: response.status,
    });
  }
  return {
    callSid: call.data.sid,
    status: call.data.status,
    httpStatus: response.status,
    requestedAt,
    respondedAt: Date.now(),
  };
}
