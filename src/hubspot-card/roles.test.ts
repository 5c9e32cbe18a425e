import { describe, expect, it } from 'vitest';
import { GuardlineError } from '../errors/index.ts';
import { canApprove, canTunePolicy, parseHubSpotRoleMapping, requireRole, roleForHubSpotUser } from './roles.ts';

describe('roleForHubSpotUser', () => {
  const mapping = parseHubSpotRoleMapping('{ "approver": ["123", "team:77"], "manager": [456] }');

  it('maps user ids and teams, manager first, everyone else a rep', () => {
    expect(roleForHubSpotUser('123', [], mapping)).toBe('approver');
    expect(roleForHubSpotUser(456, [], mapping)).toBe('manager');
    expect(roleForHubSpotUser('999', [77], mapping)).toBe('approver');
    expect(roleForHubSpotUser('123', [], { approver: ['123'], manager: ['team:5'] })).toBe('approver');
    expect(roleForHubSpotUser('123', ['5'], { approver: ['123'], manager: ['team:5'] })).toBe('manager');
    expect(roleForHubSpotUser('999', [78], mapping)).toBe('rep');
    expect(roleForHubSpotUser('77', [], mapping)).toBe('rep');
  });

  it('gives nobody a role when the variable is unset', () => {
    expect(roleForHubSpotUser('123', [], parseHubSpotRoleMapping(undefined))).toBe('rep');
    expect(roleForHubSpotUser('123', [], parseHubSpotRoleMapping('  '))).toBe('rep');
  });
});

describe('parseHubSpotRoleMapping', () => {
  it('refuses malformed configuration with GL_CONFIG_INVALID', () => {
    for (const bad of ['{', '[]', '{"approver":"123"}', '{"admin":["1"]}', '{"approver":["team:x"]}']) {
      expect(() => parseHubSpotRoleMapping(bad), bad).toThrow(GuardlineError);
      try {
        parseHubSpotRoleMapping(bad);
      } catch (err) {
        expect((err as GuardlineError).code).toBe('GL_CONFIG_INVALID');
      }
    }
  });
});

describe('capabilities', () => {
  it('lets approvers and managers approve, only managers tune policy', () => {
    expect([canApprove('rep'), canApprove('approver'), canApprove('manager')]).toEqual([false, true, true]);
    expect([canTunePolicy('rep'), canTunePolicy('approver'), canTunePolicy('manager')]).toEqual([false, false, true]);
    expect(() => requireRole('approver', 'tune_policy')).toThrow(/manager role/);
    expect(() => requireRole('rep', 'approve')).toThrow(GuardlineError);
    expect(() => requireRole('manager', 'approve')).not.toThrow();
  });
});
