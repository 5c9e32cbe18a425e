import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { Policy } from '../../policies/schema.ts';
import { GuardlineError } from '../errors/index.ts';
import { canonicalJson } from '../model/canonical-json.ts';
import { sha256Hex } from '../model/sha256.ts';

/** A validated policy with the version every decision records. */
export interface LoadedPolicy {
  readonly policy: Policy;
  /** `label@hash`: the label a human gave it and the first 12 hex digits of its content hash. */
  readonly version: string;
  readonly hash: string;
}

export interface PolicyIssue {
  /** Dotted path into the document, e.g. `roles.closing.concessions.auto_max_percent`. */
  path: string;
  /** 1-based line in the YAML source, when known. */
  line: number | null;
  message: string;
}

export const DEFAULT_POLICY_PATH = fileURLToPath(new URL('../../policies/default.yaml', import.meta.url));

/** The content hash of a policy: canonical JSON, so formatting and comments don't change it. */
export function policyHash(policy: Policy): string {
  return sha256Hex(canonicalJson(policy));
}

export function versionOf(policy: Policy): LoadedPolicy {
  const hash = policyHash(policy);
  return { policy, hash, version: `${policy.label}@${hash.slice(0, 12)}` };
}

/** Validates YAML text; returns the policy or every issue found, each with its path and line. */
export function parsePolicy(source: string): { ok: true; loaded: LoadedPolicy } | { ok: false; issues: PolicyIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({
        path: '',
        line: e.linePos?.[0]?.line ?? null,
        message: `YAML: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const result = Policy.safeParse(doc.toJS());
  if (result.success) return { ok: true, loaded: versionOf(result.data) };
  return { ok: false, issues: result.error.issues.map((issue) => toPolicyIssue(issue, doc, lineCounter)) };
}

function toPolicyIssue(
  issue: z.core.$ZodIssue,
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
): PolicyIssue {
  const path = issue.path.map(String);
  // Point at the deepest node that exists: a missing key is reported on its parent's line.
  let line: number | null = null;
  for (let depth = path.length; depth >= 0 && line === null; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range && (depth === 0 || isMap(node) || isSeq(node) || node)) line = lines.linePos(range[0]).line;
  }
  const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
  const message = missing
    ? `required, missing (${issue.message.replace(/^Invalid input: /, '').replace(/, received undefined$/, '')})`
    : issue.message;
  return { path: path.join('.') || '(root)', line, message: `${message}${keys}` };
}

/** Reads and validates a policy file; throws `GL_POLICY_UNREADABLE` or `GL_POLICY_INVALID` with every issue. */
export async function loadPolicyFile(file: string = DEFAULT_POLICY_PATH): Promise<LoadedPolicy> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (e) {
    throw new GuardlineError('GL_POLICY_UNREADABLE', `${file}: ${(e as Error).message}`);
  }
  const parsed = parsePolicy(source);
  if (parsed.ok) return parsed.loaded;
  throw new GuardlineError('GL_POLICY_INVALID', formatIssues(file, parsed.issues), parsed.issues);
}

export function formatIssues(file: string, issues: readonly PolicyIssue[]): string {
  return issues.map((i) => `${file}${i.line === null ? '' : `:${i.line}`}: ${i.path}: ${i.message}`).join('\n');
}
