import type { z } from 'zod';
import {
  type ApprovalActionBody,
  CARD_ROUTES,
  CardApproval,
  type CardObjectType,
  CardSuspension,
  ErrorBody,
  type LiftSuspensionBody,
  type PolicyChangeBody,
  PolicyChangeResponse,
  PolicyView,
  SessionsResponse,
  type SuspendAgentBody,
} from '../shared/contract.ts';
import { REQUEST_TIMEOUT_MS } from './config.ts';

/** The shape of `hubspot.fetch`: no custom headers, a JSON body object, at most 15 s. */
export type HubSpotFetch = (
  url: string,
  options?: { method?: 'GET' | 'POST'; timeout?: number; body?: Record<string, unknown> },
) => Promise<Response>;

export type ApiErrorKind =
  | 'unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'rejected'
  | 'not_found'
  | 'server'
  | 'bad_response';

/** A failed call, in words a rep can act on. */
export class GuardlineApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly code: string | undefined;
  readonly action: string | undefined;

  constructor(kind: ApiErrorKind, message: string, code?: string, action?: string) {
    super(message);
    this.name = 'GuardlineApiError';
    this.kind = kind;
    this.code = code;
    this.action = action;
  }
}

function kindForStatus(status: number): ApiErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status >= 500) return 'server';
  return 'rejected';
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

export interface GuardlineApi {
  sessions(objectType: CardObjectType, objectId: string): Promise<SessionsResponse>;
  approve(approvalId: string, body: ApprovalActionBody): Promise<CardApproval>;
  deny(approvalId: string, body: ApprovalActionBody): Promise<CardApproval>;
  policy(): Promise<PolicyView>;
  changePolicy(body: PolicyChangeBody): Promise<PolicyChangeResponse>;
  suspend(body: SuspendAgentBody): Promise<CardSuspension>;
  liftSuspension(suspensionId: string, body: LiftSuspensionBody): Promise<CardSuspension>;
}

/** The card's only way to reach Guardline: every call goes through `hubspot.fetch` (signed by HubSpot). */
export function createGuardlineApi(fetcher: HubSpotFetch, baseUrl: string): GuardlineApi {
  const root = baseUrl.replace(/\/+$/, '');

  async function call<T>(schema: z.ZodType<T>, path: string, body?: Record<string, unknown>): Promise<T> {
    let response: Response;
    try {
      response = await fetcher(`${root}${path}`, {
        method: body ? 'POST' : 'GET',
        timeout: REQUEST_TIMEOUT_MS,
        ...(body ? { body } : {}),
      });
    } catch {
      throw new GuardlineApiError('unreachable', 'Guardline could not be reached.');
    }
    const json = await readJson(response);
    if (!response.ok) {
      const error = ErrorBody.safeParse(json);
      const message = error.success ? error.data.message : `Guardline answered with HTTP ${response.status}.`;
      throw new GuardlineApiError(
        kindForStatus(response.status),
        message,
        error.success ? error.data.code : undefined,
        error.success ? error.data.action : undefined,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new GuardlineApiError('bad_response', 'Guardline sent an answer this card does not understand.');
    return parsed.data;
  }

  return {
    sessions: (objectType, objectId) =>
      call(
        SessionsResponse,
        `${CARD_ROUTES.sessions}?objectType=${encodeURIComponent(objectType)}&objectId=${encodeURIComponent(objectId)}`,
      ),
    approve: (id, body) => call(CardApproval, CARD_ROUTES.approve(id), body),
    deny: (id, body) => call(CardApproval, CARD_ROUTES.deny(id), body),
    policy: () => call(PolicyView, CARD_ROUTES.policy),
    changePolicy: (body) => call(PolicyChangeResponse, CARD_ROUTES.policy, body),
    suspend: (body) => call(CardSuspension, CARD_ROUTES.suspend, body),
    liftSuspension: (id, body) => call(CardSuspension, CARD_ROUTES.liftSuspension(id), body),
  };
}

/** A short, plain sentence for an error state. */
export function describeApiError(error: unknown): { title: string; detail: string } {
  if (!(error instanceof GuardlineApiError)) {
    return { title: 'Something went wrong', detail: 'The Guardline card hit an unexpected problem. Try again.' };
  }
  switch (error.kind) {
    case 'unreachable':
      return {
        title: 'Guardline is unreachable',
        detail: 'The card could not reach the Guardline service. Calls are still guarded; try again in a minute.',
      };
    case 'unauthorized':
      return {
        title: 'Guardline refused this request',
        detail: 'The request could not be verified as coming from HubSpot. Ask your admin to check the app setup.',
      };
    case 'forbidden':
      return { title: 'Not allowed', detail: error.action ?? error.message };
    case 'bad_response':
      return { title: 'Unexpected answer', detail: error.message };
    default:
      return {
        title: 'Guardline could not do that',
        detail: error.action ? `${error.message} ${error.action}` : error.message,
      };
  }
}
