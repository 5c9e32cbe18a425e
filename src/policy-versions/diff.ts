import type { Policy } from '../../policies/schema.ts';

export interface RuleChange {
  /** Dotted path, e.g. `roles.closing.concessions.auto_max_percent`. */
  path: string;
  before: unknown;
  after: unknown;
  /** For numeric limits: whether the change narrows or widens what agents may do. */
  direction: 'tighter' | 'looser' | null;
}

/** Limits where a smaller number means less authority (bounds, durations, counts). */
const SMALLER_IS_TIGHTER = /(_max_|max_|_seconds$|_count$|per_agent_daily|per_tenant_daily)/;
const TIER_ORDER = ['forbidden', 'suggest', 'draft', 'execute_with_approval', 'autonomous'];

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
}

function directionOf(path: string, before: unknown, after: unknown): RuleChange['direction'] {
  if (typeof before === 'number' && typeof after === 'number' && SMALLER_IS_TIGHTER.test(path))
    return after < before ? 'tighter' : 'looser';
  const a = TIER_ORDER.indexOf(String(before));
  const b = TIER_ORDER.indexOf(String(after));
  if (a >= 0 && b >= 0 && a !== b) return b < a ? 'tighter' : 'looser';
  return null;
}

/** The rules that differ between two policies, path by path (not a diff of their YAML text). */
export function diffPolicies(a: Policy, b: Policy): RuleChange[] {
  const left = new Map<string, unknown>();
  const right = new Map<string, unknown>();
  flatten(a, '', left);
  flatten(b, '', right);
  const paths = [...new Set([...left.keys(), ...right.keys()])].sort();
  const changes: RuleChange[] = [];
  for (const path of paths) {
    const before = left.get(path);
    const after = right.get(path);
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    changes.push({ path, before: before ?? null, after: after ?? null, direction: directionOf(path, before, after) });
  }
  return changes;
}

const show = (v: unknown) => (v === null || v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

export function formatRuleChanges(changes: readonly RuleChange[]): string {
  if (changes.length === 0) return 'no rule differs';
  return changes
    .map((c) => `${c.path}: ${show(c.before)} → ${show(c.after)}${c.direction ? ` (${c.direction})` : ''}`)
    .join('\n');
}
