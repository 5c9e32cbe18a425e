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
  // --- transcript analysis (src/analysis) --------------------------------------------------
  GL_PHRASES_INVALID: {
    message: 'The phrase book (policies/phrases.yaml) is not valid.',
    action:
      'Fix each entry the error lists by its path; the comments at the top of the file describe the phrase syntax.',
    status: 422,
  },
  // --- telephony (Twilio Media Streams) ----------------------------------------------------
  GL_TWILIO_MESSAGE_INVALID: {
    message: 'The Twilio Media Streams message is not valid JSON or does not match its schema; it was ignored.',
    action:
      "Send messages shaped as in Twilio's Media Streams docs (event, streamSid, sequenceNumber and the event body).",
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
    message: "The stream's media format is not audio/x-mulaw at 8000 Hz mono.",
    action: 'Use a Twilio <Stream> (it always sends audio/x-mulaw 8000 Hz mono).',
    status: 415,
  },
  GL_TWILIO_PARAMETERS_INVALID: {
    message: "The stream's customParameters are missing or invalid for a Guardline session.",
    action:
      'Add <Parameter> elements to the <Stream> for each field named in the error (see docs/readme/telephony.md).',
    status: 400,
  },
  GL_TWILIO_REST_FAILED: {
    message: 'The Twilio REST API did not complete the call.',
    action:
      "Check TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN and the call SID; the details carry Twilio's status and error code.",
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
    action:
      'Check the transcription options (model, encoding, sample rate) and the service status; the details carry the HTTP status.',
    status: 502,
  },
  GL_TRANSCRIPTION_UNAVAILABLE: {
    message: 'The transcription service could not be reached.',
    action:
      'Check DEEPGRAM_BASE_URL and the network; Guardline keeps retrying with backoff and holds the session past the grace period.',
    status: 503,
  },
  // --- HubSpot card backend (src/hubspot-card) ------------------------------------------
  GL_AUTH_SIGNATURE: {
    message: 'The request is not signed by HubSpot, its signature does not match, or it is older than 5 minutes.',
    action:
      'Call these endpoints only through hubspot.fetch from the Guardline card; check that GUARDLINE_HUBSPOT_CLIENT_SECRET is the HubSpot app client secret and that the server clock is right.',
    status: 401,
  },
  GL_AUTH_ROLE: {
    message: 'Your Guardline role (HubSpot user mapping or token roles) does not allow this action.',
    action:
      'Ask an admin to add your HubSpot user id (or team) to GUARDLINE_HUBSPOT_ROLES, or to mint you a token with the approver or manager role.',
    status: 403,
  },
  // --- store, audit chain, approvals, budgets (src/store, src/audit, src/approvals) -------
  GL_STORE_UNREACHABLE: {
    message: 'The database could not be opened or reached.',
    action:
      'Check DATABASE_URL (PostgreSQL) or that GUARDLINE_DATA_DIR is writable (SQLite); decisions are denied until it is back (fail closed).',
    status: 503,
  },
  GL_STORE_MIGRATION_FAILED: {
    message: 'The database schema could not be migrated to this version of Guardline.',
    action: 'Read the failing migration in the details; restore the database or fix its schema by hand, then restart.',
    status: 500,
  },
  GL_STORE_WRITE_FAILED: {
    message: 'A durable write failed; nothing of it was stored.',
    action:
      'Retry; if it persists check disk space, permissions or the database server. The decision was denied (fail closed).',
    status: 503,
  },
  GL_STORE_CONFLICT: {
    message: 'The record already exists with different content.',
    action: 'Use a new id; ids of sessions, decisions and policy versions are never reused.',
    status: 409,
  },
  GL_STORE_NOT_FOUND: {
    message: 'The record does not exist.',
    action: 'Check the id (list the records to see which exist).',
    status: 404,
  },
  GL_STORE_CLOSED: {
    message: 'The store has been closed.',
    action: 'Open a new store; this happens during shutdown.',
    status: 503,
  },
  GL_AUDIT_KEY_MISSING: {
    message: 'No audit signing key is configured.',
    action:
      'Set GUARDLINE_AUDIT_KEY to an Ed25519 private key (PEM or base64); every node sharing a database must use the same key.',
    status: 500,
  },
  GL_AUDIT_KEY_INVALID: {
    message: 'The audit key is not a valid Ed25519 key.',
    action: 'Give a PEM (PKCS#8 private or SPKI public) Ed25519 key, its base64, or the base64 of the 32-byte seed.',
    status: 500,
  },
  GL_AUDIT_FILE_INVALID: {
    message: 'The checkpoint or bundle file is not valid.',
    action: 'Give a file written by `guardline audit checkpoint` or `guardline audit export`.',
    status: 422,
  },
  GL_APPROVAL_NOT_FOUND: {
    message: 'No approval request has this id.',
    action: 'Check the approval id; it is `<decisionId>.approval`.',
    status: 404,
  },
  GL_APPROVAL_FORBIDDEN: {
    message: 'You do not have the role this approval requires.',
    action: 'Ask a user with the approver role named in the request.',
    status: 403,
  },
  GL_APPROVAL_CLOSED: {
    message: 'The approval request has already been decided.',
    action: 'Nothing to do; see its status and votes.',
    status: 409,
  },
  GL_APPROVAL_EXPIRED: {
    message: 'The approval request passed its deadline without an answer and has expired.',
    action: 'The agent was told; a new request is needed for a new attempt.',
    status: 410,
  },
  GL_OVERRIDE_REFUSED: {
    message: 'The override cannot be used: it is unknown, used, expired, or for another session, action or bound.',
    action: 'Ask for a new approval for this exact action.',
    status: 403,
  },
  GL_BUDGET_EXCEEDED: {
    message: 'A daily budget (concession value, approvals requested or calls started) is used up.',
    action: 'Wait for the next day or raise the cap in the policy.',
    status: 429,
  },
  // --- CRM outbox and HubSpot (src/crm) ----------------------------------------------------
  GL_CRM_WRITE_NOT_FOUND: {
    message: 'No CRM write with this id is in the outbox.',
    action: 'List writes with `guardline crm outbox` and use an id from it.',
    status: 404,
  },
  GL_CRM_ROLLBACK_REFUSED: {
    message: 'This CRM write cannot be rolled back.',
    action: 'Only a delivered property update can be undone, once; the detail says why this one cannot.',
    status: 409,
  },
  GL_CRM_ROLLBACK_DENIED: {
    message: 'The rollback was gated and not allowed.',
    action: 'Ask a manager (a human approver) to roll it back; the decision rationale says which rule refused.',
    status: 403,
  },
  // --- server, agent protocol and authentication (src/server, src/runtime, src/auth) ---------
  GL_AUTH_MISSING: {
    message: 'No bearer token was presented.',
    action:
      'Send `Authorization: Bearer <token>` (or `?token=<token>` where headers cannot be set); mint a development token with `guardline token --agent ID --tenant T --roles booking`.',
    status: 401,
  },
  GL_AUTH_INVALID: {
    message: 'The bearer token is malformed, not signed with the configured key, or not meant for Guardline.',
    action:
      'Mint a new token with the key Guardline is configured with (GUARDLINE_JWT_SECRET or GUARDLINE_JWT_PUBLIC_KEY).',
    status: 401,
  },
  GL_AUTH_EXPIRED: {
    message: 'The bearer token has expired.',
    action: 'Mint a new token (`guardline token ... --ttl 15m`) and reconnect.',
    status: 401,
  },
  GL_AUTH_SCOPE: {
    message: 'The token does not allow this: another role, tenant or agent than it names, or the wrong kind of token.',
    action: 'Use a token whose roles include the role `hello` asks for, for the same agent and tenant.',
    status: 403,
  },
  GL_PROTOCOL_INVALID_JSON: {
    message: 'The text frame is not a JSON object.',
    action: 'Send one JSON object per text frame, as in docs/protocol.md.',
    status: 400,
  },
  GL_PROTOCOL_UNKNOWN_TYPE: {
    message: 'The message has an unknown `type`.',
    action: 'Send only hello, transcript, propose, event or ping (docs/protocol.md).',
    status: 400,
  },
  GL_PROTOCOL_INVALID_MESSAGE: {
    message: 'The message does not match its schema.',
    action: 'Fix the fields named in the error (docs/protocol.md lists each message and its fields).',
    status: 400,
  },
  GL_PROTOCOL_FRAME_TOO_LARGE: {
    message: 'The frame is larger than Guardline accepts; it was ignored.',
    action: 'Keep text frames and audio chunks under GUARDLINE_MAX_FRAME_BYTES (default 65536).',
    status: 413,
  },
  GL_PROTOCOL_NOT_STARTED: {
    message: 'The session has not started: the first message must be `hello`.',
    action: 'Send `hello` and wait for `ready` before anything else (audio included).',
    status: 409,
  },
  GL_PROTOCOL_ALREADY_STARTED: {
    message: 'This connection already has a session; a second `hello` was ignored.',
    action: 'Open a new connection for a new call or thread.',
    status: 409,
  },
  GL_PROTOCOL_AUDIO_UNEXPECTED: {
    message:
      'Binary audio arrived but this session takes no audio (no `audio` in `hello`, or no transcriber configured).',
    action:
      'Declare `audio` in `hello` and configure DEEPGRAM_API_KEY or DEEPGRAM_BASE_URL, or send `transcript` messages instead.',
    status: 409,
  },
  GL_SESSION_CONFLICT: {
    message: 'A session with this id is already live or was recorded before.',
    action: 'Use a new session id (or omit it: Guardline derives one from the call id).',
    status: 409,
  },
  GL_SERVER_SHUTTING_DOWN: {
    message: 'Guardline is shutting down and takes no new sessions.',
    action: 'Reconnect to another node or after the restart.',
    status: 503,
  },
  GL_SERVER_NOT_READY: {
    message: 'Guardline is not ready yet (policy or store not loaded).',
    action: 'Wait for /readyz to answer 200, then connect.',
    status: 503,
  },
  // --- local console (src/console, /console) ----------------------------------------------------
  GL_CONSOLE_OFF: {
    message: 'The console is turned off on this server (GUARDLINE_CONSOLE=off).',
    action: 'Set GUARDLINE_CONSOLE=local (loopback only) or GUARDLINE_CONSOLE=token and restart.',
    status: 404,
  },
  GL_CONSOLE_FORBIDDEN: {
    message: 'The console refused this request.',
    action:
      'Open the console from this machine (http://127.0.0.1:PORT/console), or run with GUARDLINE_CONSOLE=token and sign in with a user token (`guardline token --user ID --roles manager`).',
    status: 403,
  },
  GL_CONSOLE_INPUT_INVALID: {
    message: 'The console request is malformed.',
    action: 'Fix the fields the message names and send it again.',
    status: 400,
  },
  GL_CONSOLE_SAMPLE_UNAVAILABLE: {
    message: 'The sample call cannot run on this server.',
    action:
      'The sample call mints an agent token with GUARDLINE_JWT_SECRET (or the generated development secret); it is not available with GUARDLINE_JWT_PUBLIC_KEY.',
    status: 409,
  },
  // --- HTTP APIs: approvals, sessions, CRM writes, card backend (src/server/routes) ------------
  GL_REQUEST_INVALID: {
    message: 'The request (path parameter, query or JSON body) does not match its schema.',
    action: 'Fix the fields named in the details; docs/readme/approvals-api.md and docs/card-api.md list each route.',
    status: 400,
  },
  GL_REQUEST_TOO_LARGE: {
    message: 'The request body is larger than 1 MB.',
    action: 'Send a smaller body; no Guardline route needs more than a few kilobytes.',
    status: 413,
  },
  GL_SERVER_INTERNAL: {
    message: 'Guardline failed to answer this request; nothing was changed by the part that failed.',
    action: 'Retry once; if it persists, report the time and route from the logs.',
    status: 500,
  },
  GL_SESSION_NOT_FOUND: {
    message: 'No session has this id.',
    action: 'List sessions with GET /v1/sessions and use an id from it.',
    status: 404,
  },
  // --- policy operations: versions, suspensions, shadow, replay (src/policy-versions, src/suspensions, src/shadow, src/replay)
  GL_SUSPENDED: {
    message: 'This agent, its role or its tenant is suspended; nothing new may start or be proposed.',
    action: 'Ask a manager why (`guardline suspend list`); once they lift it (`guardline suspend lift ID`), reconnect.',
    status: 403,
  },
  GL_SUSPENSION_NOT_FOUND: {
    message: 'No active suspension has this id.',
    action: 'List them with `guardline suspend list` or GET /v1/suspensions and use an id from it.',
    status: 404,
  },
  GL_POLICY_VERSION_UNKNOWN: {
    message: 'No policy version has this id in the store.',
    action: 'List versions with `guardline policy list` (or GET /v1/policies) and use one of their ids (label@hash).',
    status: 404,
  },
  GL_POLICY_SECOND_APPROVER: {
    message: 'Publishing this version needs a second manager; the same person cannot approve their own publication.',
    action: 'Ask another manager to run `guardline policy approve <version>` (or POST /v1/policies/:version/approve).',
    status: 409,
  },
  GL_RECORDING_INVALID: {
    message: 'The session recording is not valid JSON Lines in the guardline-recording/1 format.',
    action: 'Export it again with `guardline session export ID`; the error names the bad line.',
    status: 422,
  },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
