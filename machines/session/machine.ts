/**
 * The session statechart: one actor per live call or message thread. Pure: it reads events that
 * carry their own time, and everything it wants done leaves as an emitted event (`directive`,
 * `approval_result`, `do_not_call`, `enforce_end`). The gate (src/gate) reads its snapshot to
 * decide proposals; the decision comes back as `DECIDED` so the chart tracks what was granted.
 */
import { and, assign, emit, enqueueActions, not, or, setup, stateIn } from 'xstate';
import { guards } from './guards.ts';
import type { SessionContext, SessionEmitted, SessionEvent, SessionInput } from './types.ts';
import { applyDecision, type DirectiveParams, disclosureDirective, nextDirective, startClock } from './updates.ts';

const machineSetup = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    input: {} as SessionInput,
    emitted: {} as SessionEmitted,
  },
  guards,
  actions: {
    direct: enqueueActions(({ context, event, enqueue }, params: DirectiveParams) => {
      const directive = nextDirective(context, event.at, params);
      enqueue.assign({
        directiveCount: context.directiveCount + 1,
        endRequestedAt: params.kind === 'end_call' ? (context.endRequestedAt ?? event.at) : context.endRequestedAt,
      });
      enqueue.emit({ type: 'directive', directive });
    }),
    startClock: assign(({ context, event }) => startClock(context, event.at)),
    noteActivity: assign({ lastActivityAt: ({ event }) => event.at }),
    markAIQuestion: assign({ aiQuestionPending: true }),
    applyDecision: assign(({ context, event }) => applyDecision(context, event)),
    clearPending: assign({ pending: null }),
    storeOverride: assign(({ context, event }) =>
      event.type === 'APPROVAL_RESOLVED' && event.override ? { overrides: [...context.overrides, event.override] } : {},
    ),
    dropExpiredOverrides: assign({
      overrides: ({ context, event }) => context.overrides.filter((o) => event.at < o.expiresAt),
    }),
    /** Law 5: a new role starts from its own mandate; overrides granted to the old role do not carry over. */
    dropOverrides: assign({ overrides: [] }),
    announceApproval: emit(({ event }) => ({
      type: 'approval_result' as const,
      approvalId: event.type === 'APPROVAL_RESOLVED' ? event.approvalId : '',
      status: event.type === 'APPROVAL_RESOLVED' ? event.status : ('denied' as const),
      at: event.at,
    })),
    announceExpiry: emit(({ context, event }) => ({
      type: 'approval_result' as const,
      approvalId: context.pending?.approvalId ?? '',
      status: 'expired' as const,
      at: event.at,
    })),
    markDoNotCall: emit(({ event }) => ({ type: 'do_not_call' as const, at: event.at })),
    enforceEnd: emit(({ event }) => ({ type: 'enforce_end' as const, at: event.at })),
    markTranscriptionLost: assign({
      transcriptionLostAt: ({ context, event }) => context.transcriptionLostAt ?? event.at,
    }),
    markTranscriptionRestored: assign({ transcriptionLostAt: null }),
    setHold: assign({ holdReason: ({ event }) => (event.type === 'HOLD' ? event.reason : null) }),
    clearHold: assign({ holdReason: null }),
    noteBudget: assign({ budget: ({ event }) => (event.type === 'BUDGET' ? event.remaining : null) }),
    /** The new version governs from now on; the deadline moves by the change in max duration (extensions stay). */
    changePolicy: assign(({ context, event }) => {
      if (event.type !== 'POLICY_CHANGED') return {};
      const delta = event.policy.policy.timeouts.max_call_seconds - context.policy.policy.timeouts.max_call_seconds;
      return { policy: event.policy, endsAt: context.startedAt === 0 ? context.endsAt : context.endsAt + delta * 1000 };
    }),
  },
});

/** Law 3: an opt-out narrows at any confidence and from any consent state; it is final. */
const optOut = {
  guard: 'customerOptedOut',
  target: '#session.consent.opted_out',
  actions: [
    'markDoNotCall',
    {
      type: 'direct',
      params: ({ context }: { context: SessionContext }): DirectiveParams => ({
        kind: 'end_call',
        rule: 'consent.opt_out',
        message:
          'The customer opted out: say the approved goodbye, stop selling and end the call. They are marked do-not-call.',
        say: context.policy.policy.consent.opt_out_line,
      }),
    },
  ],
} as const;

const aiQuestion = {
  guard: 'customerAsksIfAI',
  actions: [
    'markAIQuestion',
    {
      type: 'direct',
      params: {
        kind: 'disclose',
        rule: 'consent.ai_question',
        message:
          'The customer asked whether they are talking to a machine: say truthfully that you are an AI assistant.',
      },
    },
  ],
} as const;

const decline = [
  {
    guard: and(['customerDeclined', 'endsCallOnDecline']),
    target: '#session.consent.declined',
    actions: {
      type: 'direct',
      params: {
        kind: 'end_call',
        rule: 'consent.declined',
        message: 'The customer declined recording: thank them and end the call.',
      },
    },
  },
  { guard: 'customerDeclined', target: '#session.consent.declined' },
] as const;

export const sessionMachine = machineSetup.createMachine({
  id: 'session',
  type: 'parallel',
  on: { POLICY_CHANGED: { actions: 'changePolicy' }, BUDGET: { actions: 'noteBudget' } },
  context: ({ input }) => ({
    meta: input.meta,
    policy: input.policy,
    startedAt: 0,
    lastActivityAt: 0,
    endsAt: 0,
    endRequestedAt: null,
    transcriptionLostAt: null,
    aiQuestionPending: false,
    negotiation: { granted: [], cumulativePercent: 0, cumulativeUsd: 0 },
    pending: null,
    overrides: [],
    directiveCount: 0,
    holdReason: null,
    budget: null,
  }),
  states: {
    lifecycle: {
      initial: 'connecting',
      on: { CALL_ENDED: '.ended', TRANSFER_COMPLETED: '.ended' },
      states: {
        connecting: {
          on: {
            START: [
              {
                guard: 'outboundOutsideWindow',
                target: 'ended',
                actions: [
                  'startClock',
                  {
                    type: 'direct',
                    params: ({ context, event }) => ({
                      kind: 'end_call',
                      rule: 'calling_window.quiet_hours',
                      message: `Outside calling hours in ${context.meta.jurisdiction} (callee's time zone ${context.meta.timezone}) at ${new Date(event.at).toISOString()}: do not call now.`,
                    }),
                  },
                ],
              },
              { target: 'live', actions: 'startClock' },
            ],
          },
        },
        live: {
          initial: 'normal',
          on: {
            CUSTOMER_SAID: [
              { guard: 'customerOptedOut', target: 'wrapping_up' },
              {
                guard: and([
                  'customerDeclined',
                  'endsCallOnDecline',
                  or([stateIn('#session.consent.required'), stateIn('#session.consent.disclosed')]),
                ]),
                target: 'wrapping_up',
              },
              { actions: 'noteActivity' },
            ],
            AGENT_SPOKE: { actions: 'noteActivity' },
            VOICEMAIL: [
              {
                guard: 'leavesVoicemailMessage',
                target: 'wrapping_up',
                actions: {
                  type: 'direct',
                  params: ({ context }) => ({
                    kind: 'end_call',
                    rule: 'voicemail.leave_message',
                    message: 'Voicemail detected: leave the approved message, then hang up.',
                    say: context.policy.policy.voicemail.message ?? '',
                  }),
                },
              },
              {
                target: 'wrapping_up',
                actions: {
                  type: 'direct',
                  params: { kind: 'end_call', rule: 'voicemail.hang_up', message: 'Voicemail detected: hang up.' },
                },
              },
            ],
            TICK: [
              {
                guard: 'maxDurationReached',
                target: 'wrapping_up',
                actions: {
                  type: 'direct',
                  params: ({ context }) => ({
                    kind: 'end_call',
                    rule: 'timeout.max_duration',
                    message: `The call reached its maximum duration (${Math.round((context.endsAt - context.startedAt) / 1000)} s): end it now.`,
                  }),
                },
              },
              {
                guard: 'silenceExceeded',
                target: 'wrapping_up',
                actions: {
                  type: 'direct',
                  params: ({ context }) => ({
                    kind: 'end_call',
                    rule: 'timeout.silence',
                    message: `Nobody has spoken for ${context.policy.policy.timeouts.silence_seconds} s: end the call.`,
                  }),
                },
              },
              {
                guard: and(['wrapUpWarningDue', stateIn('#session.lifecycle.live.normal')]),
                target: '.warned',
                actions: {
                  type: 'direct',
                  params: ({ context, event }) => ({
                    kind: 'wrap_up',
                    rule: 'timeout.wrap_up_warning',
                    message: `The call ends in ${Math.max(0, Math.round((context.endsAt - event.at) / 1000))} s: wrap up.`,
                  }),
                },
              },
            ],
          },
          states: { normal: {}, warned: {} },
        },
        wrapping_up: {
          on: {
            TICK: { guard: 'endGraceExpired', actions: 'enforceEnd' },
          },
        },
        ended: { type: 'final' },
      },
    },
    consent: {
      initial: 'pending',
      on: { CUSTOMER_SAID: [optOut, aiQuestion] },
      states: {
        pending: {
          on: {
            START: [
              // A call that must not happen asks for no disclosure.
              { guard: 'outboundOutsideWindow' },
              {
                guard: 'disclosureRequired',
                target: 'required',
                actions: { type: 'direct', params: ({ context }) => disclosureDirective(context) },
              },
              { target: 'not_required' },
            ],
          },
        },
        not_required: {},
        required: {
          on: {
            DECIDED: { guard: 'decisionDisclosed', target: 'disclosed' },
            CUSTOMER_SAID: [optOut, ...decline],
          },
        },
        disclosed: {
          on: { CUSTOMER_SAID: [optOut, ...decline, { guard: 'customerGrantedConfidently', target: 'granted' }] },
        },
        granted: {},
        declined: {},
        opted_out: { type: 'final' },
      },
    },
    role: {
      initial: 'init',
      states: {
        init: {
          always: [
            { guard: { type: 'startsAs', params: { role: 'booking' } }, target: 'booking' },
            { guard: { type: 'startsAs', params: { role: 'transfer' } }, target: 'transfer' },
            { target: 'closing' },
          ],
        },
        booking: { entry: 'dropOverrides' },
        transfer: { entry: 'dropOverrides' },
        closing: { entry: 'dropOverrides' },
      },
      on: {
        DECIDED: [
          { guard: { type: 'decisionHandsOffTo', params: { role: 'booking' } }, target: '.booking' },
          { guard: { type: 'decisionHandsOffTo', params: { role: 'transfer' } }, target: '.transfer' },
          { guard: { type: 'decisionHandsOffTo', params: { role: 'closing' } }, target: '.closing' },
          {
            guard: 'decisionDeniesHandoff',
            actions: {
              type: 'direct',
              params: ({ event }) => ({
                kind: 'handoff_denied',
                rule: 'handoff.denied',
                message:
                  `Stay in the current role: the handoff to ${event.type === 'DECIDED' ? event.effects.handoffDenied?.to : '?'} was denied. ${event.type === 'DECIDED' ? (event.effects.handoffDenied?.reason ?? '') : ''}`.trim(),
              }),
            },
          },
        ],
      },
    },
    authority: {
      initial: 'mandate',
      states: {
        mandate: {
          on: { APPROVAL_RESOLVED: { guard: 'approvalGranted', target: 'widened', actions: 'storeOverride' } },
        },
        widened: {
          on: {
            DECIDED: { guard: 'decisionUsedLastOverride', target: 'mandate' },
            TICK: [
              { guard: 'allOverridesExpired', target: 'mandate', actions: 'dropExpiredOverrides' },
              { actions: 'dropExpiredOverrides' },
            ],
            APPROVAL_RESOLVED: { guard: 'approvalGranted', actions: 'storeOverride' },
          },
        },
      },
    },
    negotiation: {
      initial: 'open',
      on: { DECIDED: { actions: 'applyDecision' } },
      states: {
        open: { on: { DECIDED: { guard: 'decisionHolds', target: 'awaiting_approval', actions: 'applyDecision' } } },
        awaiting_approval: {
          on: {
            APPROVAL_RESOLVED: {
              guard: 'approvalForPending',
              target: 'open',
              actions: ['announceApproval', 'clearPending'],
            },
            TICK: { guard: 'approvalDeadlinePassed', target: 'open', actions: ['announceExpiry', 'clearPending'] },
          },
        },
      },
    },
    callingWindow: {
      initial: 'unchecked',
      states: {
        unchecked: { on: { START: [{ guard: 'callingWindowOpen', target: 'open' }, { target: 'closed' }] } },
        open: { on: { TICK: { guard: not('callingWindowOpen'), target: 'closed' } } },
        closed: { on: { TICK: { guard: 'callingWindowOpen', target: 'open' } } },
      },
    },
    transcription: {
      initial: 'ok',
      states: {
        ok: { on: { TRANSCRIPTION_LOST: { target: 'degraded', actions: 'markTranscriptionLost' } } },
        degraded: {
          on: {
            TRANSCRIPTION_RESTORED: { target: 'ok', actions: 'markTranscriptionRestored' },
            TICK: {
              guard: 'transcriptionGraceExpired',
              target: 'lost',
              actions: {
                type: 'direct',
                params: ({ context }) => ({
                  kind: 'hold',
                  rule: 'GL_TRANSCRIPTION_LOST',
                  message: `Transcription lost for more than ${context.policy.policy.timeouts.transcription_grace_seconds} s: hold offers, handoffs and substantive speech until it recovers.`,
                }),
              },
            },
          },
        },
        lost: {
          on: {
            TRANSCRIPTION_RESTORED: {
              target: 'ok',
              actions: [
                'markTranscriptionRestored',
                {
                  type: 'direct',
                  params: {
                    kind: 'resume',
                    rule: 'transcription.restored',
                    message: 'Transcription is back: carry on.',
                  },
                },
              ],
            },
          },
        },
      },
    },
    control: {
      initial: 'active',
      states: {
        active: {
          on: {
            HOLD: {
              target: 'held',
              actions: [
                'setHold',
                {
                  type: 'direct',
                  params: ({ event }) => ({
                    kind: event.type === 'HOLD' && event.end ? 'end_call' : 'hold',
                    rule: 'control.hold',
                    message: event.type === 'HOLD' ? event.reason : 'Hold.',
                  }),
                },
              ],
            },
          },
        },
        held: {
          on: {
            RESUME: {
              target: 'active',
              actions: [
                'clearHold',
                {
                  type: 'direct',
                  params: { kind: 'resume', rule: 'control.resume', message: 'The hold is lifted: carry on.' },
                },
              ],
            },
          },
        },
      },
    },
  },
});

export type SessionMachine = typeof sessionMachine;
