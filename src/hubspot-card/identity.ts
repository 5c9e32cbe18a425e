import { z } from 'zod';
import { GuardlineError } from '../errors/index.ts';
import {
  HUBSPOT_SIGNATURE_HEADER,
  HUBSPOT_TIMESTAMP_HEADER,
  type SignatureRejection,
  verifyHubSpotSignatureV3,
} from './signature.ts';

/**
 * Who is calling, as HubSpot's `hubspot.fetch` proxy states it: the proxy appends `userId`, `portalId`,
 * `userEmail` and `appId` to the query string of every request, and the v3 signature covers the whole
 * URL. The identity is therefore trustworthy only after the signature has been verified.
 */
export const HubSpotIdentity = z.object({
  userId: z.string().regex(/^[1-9]\d{0,19}$/, 'userId must be a HubSpot user id'),
  portalId: z.string().regex(/^[1-9]\d{0,19}$/, 'portalId must be a HubSpot account id'),
  userEmail: z.string().max(254).optional(),
  appId: z
    .string()
    .regex(/^[1-9]\d{0,19}$/, 'appId must be a HubSpot app id')
    .optional(),
});
export type HubSpotIdentity = z.infer<typeof HubSpotIdentity>;

const IDENTITY_PARAMS = ['userId', 'portalId', 'userEmail', 'appId'] as const;

/**
 * Reads the identity parameters from a signed URL. A parameter given twice is refused: the card could
 * otherwise put its own `userId` before the one HubSpot appends and both would be signed.
 */
export function hubSpotIdentityFromUrl(url: string): HubSpotIdentity {
  const params = new URL(url).searchParams;
  const raw: Record<string, string> = {};
  for (const name of IDENTITY_PARAMS) {
    const values = params.getAll(name);
    if (values.length > 1) throw new GuardlineError('GL_AUTH_SIGNATURE', `The query parameter ${name} is repeated.`);
    if (values[0] !== undefined) raw[name] = values[0];
  }
  const parsed = HubSpotIdentity.safeParse(raw);
  if (!parsed.success) {
    throw new GuardlineError('GL_AUTH_SIGNATURE', 'The HubSpot identity parameters are missing or malformed.', {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  return parsed.data;
}

/**
 * The URI HubSpot signed: the app's public base URL (as listed in `permittedUrls.fetch`) followed by the
 * raw path and query of the request as the server received it. Never rebuild it from `Host` or
 * `X-Forwarded-*` headers, which a caller controls.
 */
export function signedRequestUri(publicBaseUrl: string, rawPathAndQuery: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${rawPathAndQuery.startsWith('/') ? '' : '/'}${rawPathAndQuery}`;
}

export interface HubSpotRequest {
  readonly method: string;
  /** The full URL HubSpot called; build it with {@link signedRequestUri}. */
  readonly url: string;
  /** Header lookup; names are matched case-insensitively. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The raw body exactly as received, '' when none. */
  readonly rawBody: string;
}

const REJECTION_WORDS: Record<SignatureRejection, string> = {
  missing_signature: 'The X-HubSpot-Signature-v3 header is missing.',
  missing_timestamp: 'The X-HubSpot-Request-Timestamp header is missing.',
  malformed_timestamp: 'The X-HubSpot-Request-Timestamp header is not epoch milliseconds.',
  stale: 'The request timestamp is more than 5 minutes away from the server clock.',
  mismatch: 'The signature does not match the request.',
};

function header(headers: HubSpotRequest['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
  }
  return undefined;
}

/**
 * Verifies a request from the card (Fastify-agnostic) and returns the signed HubSpot identity.
 * Throws `GL_AUTH_SIGNATURE` (401) for unsigned, altered, stale or identity-less requests.
 */
export function verifyHubSpotRequest(request: HubSpotRequest, clientSecret: string, now: number): HubSpotIdentity {
  const verdict = verifyHubSpotSignatureV3({
    method: request.method,
    uri: request.url,
    body: request.rawBody,
    timestamp: header(request.headers, HUBSPOT_TIMESTAMP_HEADER),
    signature: header(request.headers, HUBSPOT_SIGNATURE_HEADER),
    clientSecret,
    now,
  });
  if (!verdict.ok) throw new GuardlineError('GL_AUTH_SIGNATURE', REJECTION_WORDS[verdict.reason]);
  return hubSpotIdentityFromUrl(request.url);
}
