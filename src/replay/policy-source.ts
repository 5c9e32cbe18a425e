import { existsSync } from 'node:fs';
import { GuardlineError } from '../errors/index.ts';
import { type LoadedPolicy, loadPolicyFile, parsePolicy } from '../policy/index.ts';
import type { Store } from '../store/types.ts';

/** A version stored in the store, validated again. */
export async function storedPolicy(store: Store, version: string): Promise<LoadedPolicy> {
  const row = await store.policies.get(version);
  if (!row) throw new GuardlineError('GL_POLICY_VERSION_UNKNOWN', `No policy version ${version} in the store.`);
  const parsed = parsePolicy(row.yaml);
  if (!parsed.ok) throw new GuardlineError('GL_POLICY_INVALID', `Stored policy ${version} no longer validates.`);
  return parsed.loaded;
}

/** `--policy <file|version>`: a policy file if one exists at that path, else a version in the store. */
export async function policyFromArg(arg: string, openStore: () => Promise<Store>): Promise<LoadedPolicy> {
  if (existsSync(arg)) return loadPolicyFile(arg);
  if (!arg.includes('@'))
    throw new GuardlineError('GL_POLICY_UNREADABLE', `${arg}: no such file, and not a version (label@hash).`);
  return storedPolicy(await openStore(), arg);
}
