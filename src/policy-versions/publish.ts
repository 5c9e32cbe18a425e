import { parseDocument } from 'yaml';
import { GuardlineError } from '../errors/index.ts';
import { formatIssues, type LoadedPolicy, parsePolicy } from '../policy/index.ts';
import type { PolicyVersionRow, Store } from '../store/types.ts';

export interface PublishRequest {
  /** The policy's YAML text (a file's content). */
  yaml: string;
  /** Sets the policy's `label` (the version becomes `label@hash`). */
  label?: string;
  reason: string;
  /** `human:<id>` or a user id. */
  author: string;
  at: number;
  source?: string;
}

export interface PublishResult {
  version: PolicyVersionRow;
  loaded: LoadedPolicy;
  /** `active`: now the active version; `pending`: waits for a second manager. */
  status: 'active' | 'pending' | 'already_active';
  applies: 'new_sessions' | 'immediately';
}

/** Validates, stores the immutable version (audited) and activates it, or asks for a second approver. */
export async function publishPolicy(store: Store, req: PublishRequest): Promise<PublishResult> {
  let yaml = req.yaml;
  if (req.label !== undefined) {
    const doc = parseDocument(yaml);
    doc.set('label', req.label);
    yaml = doc.toString();
  }
  const parsed = parsePolicy(yaml);
  if (!parsed.ok)
    throw new GuardlineError('GL_POLICY_INVALID', formatIssues(req.source ?? 'policy', parsed.issues), parsed.issues);
  const loaded = parsed.loaded;
  const active = await store.policies.getActive();
  const applies = loaded.policy.publishing?.applies ?? 'new_sessions';
  const version = await store.policies.create({
    id: loaded.version,
    label: loaded.policy.label,
    contentHash: loaded.hash,
    yaml,
    author: req.author,
    reason: req.reason,
    createdAt: req.at,
    parent: active?.id ?? null,
  });
  if (active?.id === loaded.version) return { version, loaded, status: 'already_active', applies };
  if (active && secondApproverRequired(active)) {
    await store.publications.request({
      versionId: loaded.version,
      requestedBy: req.author,
      reason: req.reason,
      requestedAt: req.at,
    });
    return { version, loaded, status: 'pending', applies };
  }
  await store.policies.setActive(loaded.version, { actor: req.author, reason: req.reason, at: req.at });
  return { version, loaded, status: 'active', applies };
}

function secondApproverRequired(active: PolicyVersionRow): boolean {
  const parsed = parsePolicy(active.yaml);
  return parsed.ok && parsed.loaded.policy.publishing?.second_approver === true;
}

/** A second manager approves a pending publication: it becomes the active version. */
export async function approvePublication(
  store: Store,
  versionId: string,
  by: { actor: string; at: number },
): Promise<PolicyVersionRow> {
  const pending = await store.publications.get(versionId);
  if (pending?.status !== 'pending')
    throw new GuardlineError('GL_POLICY_VERSION_UNKNOWN', `No publication of ${versionId} is waiting for approval.`);
  if (sameActor(pending.requestedBy, by.actor))
    throw new GuardlineError('GL_POLICY_SECOND_APPROVER', `${by.actor} requested this publication.`);
  const decided = await store.publications.decide(versionId, { actor: by.actor, approve: true, at: by.at });
  if (!decided)
    throw new GuardlineError('GL_POLICY_VERSION_UNKNOWN', `The publication of ${versionId} was decided meanwhile.`);
  await store.policies.setActive(versionId, {
    actor: by.actor,
    reason: `second approval of: ${pending.reason}`,
    at: by.at,
  });
  return (await store.policies.get(versionId)) as PolicyVersionRow;
}

/** Makes an earlier version active again (audited `policy_activated` with the reason). */
export async function rollbackPolicy(
  store: Store,
  versionId: string,
  by: { actor: string; reason: string; at: number },
): Promise<PolicyVersionRow> {
  const row = await store.policies.get(versionId);
  if (!row) throw new GuardlineError('GL_POLICY_VERSION_UNKNOWN', `No policy version ${versionId}.`);
  // A version whose publication waits for (or was refused) a second manager was never approved:
  // rolling back to it would skip the second approver.
  const publication = await store.publications.get(versionId);
  if (publication && publication.status !== 'approved') {
    throw new GuardlineError(
      'GL_POLICY_SECOND_APPROVER',
      `${versionId} was never approved (its publication is ${publication.status}); only an approved version can be rolled back to.`,
    );
  }
  await store.policies.setActive(versionId, { actor: by.actor, reason: `rollback: ${by.reason}`, at: by.at });
  return row;
}

const bare = (who: string) => who.replace(/^human:/, '');
function sameActor(a: string, b: string): boolean {
  return bare(a) === bare(b);
}
