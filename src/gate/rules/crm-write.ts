import type { ProposalOf } from '../../model/proposal.ts';
import { narrowestTier, type Tier } from '../../model/roles.ts';
import { tierVerdict } from '../tiers.ts';
import type { SessionView, Verdict } from '../types.ts';
import { allow, combine, reason } from '../verdict.ts';
import { isDoNotCallWrite } from './session-state.ts';

/**
 * A CRM write is allowed only for objects and properties the role's policy lists; anything not
 * listed is forbidden (fail closed). The do-not-call mark after an opt-out is never blocked.
 */
export function crmWriteVerdict(view: SessionView, proposal: ProposalOf<'crm_write'>): Verdict {
  const { object, id, properties } = proposal.params;
  if (isDoNotCallWrite(view, proposal)) {
    return allow(reason('crm.do_not_call', 'Marking the contact do-not-call is always allowed.', { object, id }));
  }
  const role = view.policy.policy.roles[view.role];
  const kindTier: Tier = role.tiers.crm_write ?? 'forbidden';
  const rights = role.crm[object];
  const verdicts: Verdict[] = [tierVerdict(kindTier, 'Writing to the CRM', 'crm.tier', { role: view.role })];
  if (id === undefined) {
    const tier = narrowestTier(kindTier, rights?.create ?? 'forbidden');
    verdicts.push(tierVerdict(tier, `Creating a ${object}`, 'crm.create', { object, role: view.role }, { object }));
  }
  const names = Object.keys(properties).sort();
  if (id !== undefined && names.length === 0) {
    verdicts.push(tierVerdict('forbidden', `An empty update of ${object} ${id}`, 'crm.empty_update', { object, id }));
  }
  if (id !== undefined) {
    for (const name of names) {
      const tier = narrowestTier(kindTier, rights?.properties[name] ?? 'forbidden');
      verdicts.push(
        tierVerdict(
          tier,
          `Writing ${object}.${name}`,
          'crm.property',
          { object, id, property: name, role: view.role },
          { object, id, property: name },
        ),
      );
    }
  }
  return combine(verdicts);
}
