/**
 * Every error Guardline reports carries one of these stable codes. This table is the single
 * source: the README's error table is generated from it (`npm run docs:errors`) and a test keeps
 * the two in step. Add new codes here, grouped by area, with the message a user reads and what
 * they should do about it.
 */
export interface ErrorCodeSpec {
  /** What went wrong, in words a user reads. */
  readonly message: string;
  /** What to do about it. */
  readonly action: string;
  /** HTTP status when the error answers a request. */
  readonly status: number;
}

export const ERROR_CODES = {
  // --- configuration and policy -----------------------------------------------------------
  GL_CONFIG_INVALID: {
    message: 'The configuration (environment variables) is invalid.',
    action: 'Fix the variables named in the error; the README lists each with its default.',
    status: 500,
  },
  GL_POLICY_INVALID: {
    message: 'The policy file does not match the policy schema.',
    action: 'Run `guardline policy check <file>` and fix each error it lists by path and line.',
    status: 422,
  },
  GL_POLICY_UNREADABLE: {
    message: 'The policy file could not be read or is not YAML.',
    action: 'Check the path and that the file is valid YAML.',
    status: 422,
  },
  // --- proposals and the gate -------------------------------------------------------------
  GL_PROPOSAL_INVALID: {
    message: 'The proposal is malformed or of an unknown kind; it was denied.',
    action: 'Send a proposal of a kind listed in docs/protocol.md with the parameters it requires.',
    status: 400,
  },
  GL_GATE_INTERNAL: {
    message: 'Guardline could not decide this proposal and denied it (fail closed).',
    action: 'Retry once; if it persists, report the decision id from the logs.',
    status: 500,
  },
  GL_SESSION_ENDED: {
    message: 'The session has ended; nothing more can be proposed in it.',
    action: 'Open a new session with `hello` for a new call or thread.',
    status: 409,
  },
  GL_TRANSCRIPTION_LOST: {
    message: 'Transcription has been lost past its grace period; proposals that need understanding are held.',
    action: 'Wait for transcription to recover (the session is told with a directive), or end the call.',
    status: 503,
  },
  // --- telephony (Twilio Media Streams) ----------------------------------------------------
  GL_TWILIO_MESSAGE_INVALID: {
    message: 'The Twilio Media Streams message is not valid JSON or does not match its schema; it was ignored.',
    action: 'Send messages shaped as in Twilio\'s Media Streams docs (event, streamSid, sequenceNumber and the event body).',
    status: 400,
  },
  GL_TWILIO_MESSAGE_UNKNOWN: {
    message: 'The Twilio Media Streams message has an unknown event; it was ignored.',
    action: 'Send only connected, start, media, dtmf, mark or stop events.',
    status: 400,
  },
  GL_TWILIO_MESSAGE_TOO_LARGE: {
    message: 'The Twilio Media Streams message is larger than Guardline accepts; it was ignored.',
    action: 'Send 20 ms μ-law frames (160 bytes each) as Twilio does.',
    status: 413,
  },
  GL_TWILIO_MEDIA_FORMAT_UNSUPPORTED: {
    message: 'The stream\'s media format is not audio/x-mulaw at 8000 Hz mono.',
    action: 'Use a Twilio <Stream> (it always sends audio/x-mulaw 8000 Hz mono).',
    status: 415,
  },
  GL_TWILIO_PARAMETERS_INVALID: {
    message: 'The stream\'s customParameters are missing or invalid for a Guardline session.',
    action: 'Add <Parameter> elements to the <Stream> for each field named in the error (see docs/readme/telephony.md).',
    status: 400,
  },
  GL_TWILIO_REST_FAILED: {
    message: 'The Twilio REST API did not complete the call.',
    action: 'Check TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN and the call SID; the details carry Twilio\'s status and error code.',
    status: 502,
  },
  // --- transcription (Deepgram) -----------------------------------------------------------
  GL_TRANSCRIPTION_AUTH: {
    message: 'The transcription service rejected the API key.',
    action: 'Set a valid DEEPGRAM_API_KEY (or unset it to use the embedded fake).',
    status: 502,
  },
  GL_TRANSCRIPTION_REJECTED: {
    message: 'The transcription service rejected the connection request (bad parameters or unavailable).',
    action: 'Check the transcription options (model, encoding, sample rate) and the service status; the details carry the HTTP status.',
    status: 502,
  },
  GL_TRANSCRIPTION_UNAVAILABLE: {
    message: 'The transcription service could not be reached.',
    action: 'Check DEEPGRAM_BASE_URL and the network; Guardline keeps retrying with backoff and holds the session past the grace period.',
    status: 503,
  },
  GL_TRANSCRIPTION_CLOSED: {
    message: 'The transcriber has been closed; it accepts no more audio.',
    action: 'Open a new transcriber for a new call.',
    status: 409,
  },
  // --- HubSpot card backend (src/hubspot-card) ------------------------------------------
  GL_AUTH_SIGNATURE: {
    message: 'The request is not signed by HubSpot, its signature does not match, or it is older than 5 minutes.',
    action:
      'Call these endpoints only through hubspot.fetch from the Guardline card; check that GUARDLINE_HUBSPOT_CLIENT_SECRET is the HubSpot app client secret and that the server clock is right.',
    status: 401,
  },
  GL_AUTH_ROLE: {
    message: 'Your HubSpot user does not have the Guardline role this action needs.',
    action:
      'Ask an admin to add your HubSpot user id (or team) to GUARDLINE_HUBSPOT_ROLES for the approver or manager role.',
    status: 403,
  },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
