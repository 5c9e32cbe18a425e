import type { Decision, Directive, SessionMeta } from '../../model/index.ts';
import type { Json, Millis } from './common.ts';

// --- sessions --------------------------------------------------------------------------------
export interface SessionRow {
  id: string;
  meta: SessionMeta;
  policyVersion: string;
  startedAt: Millis;
  endedAt: Millis | null;
  endReason: string | null;
}

export interface SessionsStore {
  /**
   * Creates the session (on runtime node `nodeId`, when given) and audits `session_started`.
   * Fails with GL_STORE_CONFLICT if the id exists.
   */
  create(meta: SessionMeta, policyVersion: string, at: Millis, nodeId?: string): Promise<SessionRow>;
  /** Marks it ended and audits `session_ended`; ending an ended session changes nothing. */
  end(id: string, at: Millis, reason: string): Promise<SessionRow | null>;
  get(id: string): Promise<SessionRow | null>;
  listByCrmObject(objectType: 'contact' | 'deal', id: string): Promise<SessionRow[]>;
  listLive(): Promise<SessionRow[]>;
  /**
   * Live sessions whose runtime node was last seen before `seenBefore` (or never): nothing runs
   * them any more. Sessions recorded without a node are not among them.
   */
  listOrphaned(seenBefore: Millis): Promise<SessionRow[]>;
  /**
   * Newest first (by start time), optionally only live or only ended ones, optionally only one
   * tenant's; `limit` (default 100) counts the rows that pass the filters.
   */
  list(filter?: { status?: 'live' | 'ended'; tenantId?: string; limit?: number }): Promise<SessionRow[]>;
}

// --- runtime nodes ---------------------------------------------------------------------------
export interface NodesStore {
  /** Node `id` is alive at `at` (the first call records when it started). */
  heartbeat(id: string, at: Millis): Promise<void>;
  /** Node `id` stopped cleanly: its row goes. */
  leave(id: string): Promise<void>;
}

// --- inputs (the replay record) --------------------------------------------------------------
export interface SessionInput {
  sessionId: string;
  /** 0, 1, 2, ... per session; the decision's `stateRef.seq` points here. */
  seq: number;
  at: Millis;
  type: string;
  payload: Json;
}

export interface InputsStore {
  /** Appends one input; appending the same (sessionId, seq) again is a no-op (the first write wins). */
  append(input: SessionInput): Promise<void>;
  /** In `seq` order. */
  list(sessionId: string): Promise<SessionInput[]>;
}

// --- decisions -------------------------------------------------------------------------------
export interface DecisionsStore {
  get(id: string): Promise<Decision | null>;
  /** In the order they were recorded. */
  listBySession(sessionId: string): Promise<Decision[]>;
}

export interface DirectivesStore {
  listBySession(sessionId: string): Promise<Directive[]>;
}
