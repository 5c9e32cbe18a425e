import { parseDocument } from 'yaml';
import { z } from 'zod';
import { Timeouts } from '../../policies/schema.ts';
import { GuardlineError } from '../errors/index.ts';
import { type LoadedPolicy, type PolicyIssue, parsePolicy } from '../policy/index.ts';
import { publishPolicy } from '../policy-versions/index.ts';
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
  | { ok: true; status: 'unchanged' | 'active' | 'pending'; version: string }
  | { ok: false; issues: PolicyIssue[] };

/**
 * Applies a tuning to the active policy's YAML (comments and layout kept), validates the result
 * with the policy schema, and publishes it through `publishPolicy` (a new immutable version with
 * author, reason and parent; active at once, or pending when the policy asks for a second
 * manager). The caller brings the runtime onto it (`syncActivePolicy`).
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
  if (parsed.loaded.hash === active.contentHash) return { ok: true, status: 'unchanged', version: active.id };
  const published = await publishPolicy(store, {
    yaml,
    reason: tuning.reason,
    author: by.author,
    at: by.now,
    source: 'console tuning',
  });
  return {
    ok: true,
    status: published.status === 'pending' ? 'pending' : 'active',
    version: published.version.id,
  };
}
