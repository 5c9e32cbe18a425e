import { parseDocument } from 'yaml';
import { z } from 'zod';
import { Timeouts } from '../../policies/schema.ts';
import { GuardlineError } from '../errors/index.ts';
import { type LoadedPolicy, type PolicyIssue, parsePolicy } from '../policy/index.ts';
import type { PolicyVersionRow, Store } from '../store/types.ts';

/** The concession bounds a manager tunes from the console (numbers; the tiers stay in the file). */
export const TUNABLE_CONCESSION_KEYS = [
  'auto_max_percent',
  'approval_max_percent',
  'auto_max_usd',
  'approval_max_usd',
  'auto_max_free_months',
  'approval_max_free_months',
  'max_count',
  'cumulative_max_percent',
  'cumulative_max_usd',
  'price_floor_usd',
] as const;
export const TUNABLE_TIMEOUT_KEYS = Timeouts.keyof().options;

const Num = z.number().finite();
/** A tuning request: only the values that change; the policy schema validates the result. */
export const PolicyTuning = z.strictObject({
  timeouts: z.partialRecord(z.enum(TUNABLE_TIMEOUT_KEYS), Num).optional(),
  concessions: z
    .record(z.string().min(1).max(40), z.partialRecord(z.enum(TUNABLE_CONCESSION_KEYS), Num.nullable()))
    .optional(),
  reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(500),
});
export type PolicyTuning = z.infer<typeof PolicyTuning>;

/** What the console shows for tuning: the active version and its tunable values. */
export function tunablesOf(row: PolicyVersionRow, loaded: LoadedPolicy) {
  const { policy } = loaded;
  const concessions: Record<string, Record<string, number | null>> = {};
  for (const [role, rolePolicy] of Object.entries(policy.roles)) {
    const bounds = rolePolicy.concessions as Record<string, unknown>;
    concessions[role] = Object.fromEntries(TUNABLE_CONCESSION_KEYS.map((k) => [k, bounds[k] as number | null]));
  }
  return {
    version: row.id,
    label: policy.label,
    author: row.author,
    reason: row.reason,
    createdAt: row.createdAt,
    timeouts: { ...policy.timeouts },
    concessions,
  };
}

export type TuningResult =
  | { ok: true; changed: boolean; version: PolicyVersionRow; loaded: LoadedPolicy }
  | { ok: false; issues: PolicyIssue[] };

/**
 * Applies a tuning to the active policy's YAML (comments and layout kept), validates the result
 * with the policy schema, and stores it as a new immutable version (author, reason, parent) made
 * active. The caller switches the runtime to it (new sessions only; live ones keep theirs).
 */
export async function publishTuning(
  store: Store,
  tuning: PolicyTuning,
  by: { author: string; now: number },
): Promise<TuningResult> {
  const active = await store.policies.getActive();
  if (!active) throw new GuardlineError('GL_SERVER_NOT_READY', 'No policy is active yet.');
  const doc = parseDocument(active.yaml);
  const roles = Object.keys((doc.toJS() as { roles?: Record<string, unknown> }).roles ?? {});
  for (const [key, value] of Object.entries(tuning.timeouts ?? {})) doc.setIn(['timeouts', key], value);
  for (const [role, values] of Object.entries(tuning.concessions ?? {})) {
    if (!roles.includes(role))
      return { ok: false, issues: [{ path: `roles.${role}`, line: null, message: 'no such role' }] };
    for (const [key, value] of Object.entries(values)) doc.setIn(['roles', role, 'concessions', key], value);
  }
  const yaml = doc.toString();
  const parsed = parsePolicy(yaml);
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  const { loaded } = parsed;
  if (loaded.hash === active.contentHash) return { ok: true, changed: false, version: active, loaded };
  const row: PolicyVersionRow = {
    id: loaded.version,
    label: loaded.policy.label,
    contentHash: loaded.hash,
    yaml,
    author: by.author,
    reason: tuning.reason,
    createdAt: by.now,
    parent: active.id,
  };
  // Tuning back to an earlier version's content reuses that (immutable) version.
  const existing = await store.policies.get(row.id);
  const version = existing ?? (await store.policies.create(row));
  await store.policies.setActive(version.id, { actor: `human:${by.author}`, reason: tuning.reason, at: by.now });
  return { ok: true, changed: true, version, loaded };
}
