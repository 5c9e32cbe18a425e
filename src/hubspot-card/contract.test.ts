import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Decision as ModelDecision } from '../model/decision.ts';
import {
  applyPolicyChanges,
  PolicyChangeBody,
  PolicyChanges,
  SessionsQuery,
  TunablePolicy,
  Decision as WireDecision,
} from './contract.ts';

describe('wire contract', () => {
  it('carries the same Decision shape as src/model (the card cannot import src/)', () => {
    expect(z.toJSONSchema(WireDecision)).toEqual(z.toJSONSchema(ModelDecision));
  });

  it('validates the record query strictly', () => {
    expect(SessionsQuery.safeParse({ objectType: 'deal', objectId: '42' }).success).toBe(true);
    expect(SessionsQuery.safeParse({ objectType: 'company', objectId: '42' }).success).toBe(false);
    expect(SessionsQuery.safeParse({ objectType: 'deal', objectId: '4 2' }).success).toBe(false);
  });

  const current = {
    roles: {
      booking: {
        concessions: { auto_max_percent: 0, approval_max_percent: 0, max_count: 0, cumulative_max_percent: 0 },
      },
      transfer: {
        concessions: { auto_max_percent: 0, approval_max_percent: 5, max_count: 1, cumulative_max_percent: 5 },
      },
      closing: {
        concessions: { auto_max_percent: 10, approval_max_percent: 25, max_count: 3, cumulative_max_percent: 30 },
      },
    },
    timeouts: { max_call_seconds: 1800, wrap_up_warning_seconds: 120, silence_seconds: 45, approval_wait_seconds: 90 },
  };

  it('applies partial changes without touching the rest, then checks cross-field rules', () => {
    const next = applyPolicyChanges(current, { roles: { closing: { concessions: { auto_max_percent: 15 } } } });
    expect(next.roles.closing.concessions).toEqual({ ...current.roles.closing.concessions, auto_max_percent: 15 });
    expect(next.roles.booking).toEqual(current.roles.booking);
    expect(TunablePolicy.safeParse(next).success).toBe(true);

    const inverted = applyPolicyChanges(current, { roles: { closing: { concessions: { auto_max_percent: 40 } } } });
    const issues = TunablePolicy.safeParse(inverted).error?.issues.map((i) => i.path.join('.'));
    expect(issues).toEqual(['roles.closing.concessions.auto_max_percent']);

    const late = applyPolicyChanges(current, { timeouts: { wrap_up_warning_seconds: 1800 } });
    expect(TunablePolicy.safeParse(late).error?.issues[0]?.path).toEqual(['timeouts', 'wrap_up_warning_seconds']);
  });

  it('refuses unknown fields, out-of-range values and a missing reason', () => {
    expect(PolicyChanges.safeParse({ timeouts: { max_call_seconds: 10 } }).success).toBe(false);
    expect(PolicyChanges.safeParse({ timeouts: { hold_seconds: 10 } }).success).toBe(false);
    expect(PolicyChanges.safeParse({ roles: { closing: { concessions: { auto_max_percent: 101 } } } }).success).toBe(
      false,
    );
    expect(PolicyChangeBody.safeParse({ changes: {}, reason: '  ' }).success).toBe(false);
    expect(PolicyChangeBody.safeParse({ changes: {}, reason: 'Q4 push' }).success).toBe(true);
  });
});
