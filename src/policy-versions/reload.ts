import type { Logger } from 'pino';
import type { LoadedPolicy } from '../policy/index.ts';
import { storedPolicy } from '../replay/policy-source.ts';
import type { SessionRegistry } from '../runtime/registry.ts';
import type { Store } from '../store/types.ts';

/**
 * Keeps a running runtime on the store's active policy version without a restart: new sessions
 * start on it; live sessions keep the version they started with unless the new version says
 * `publishing.applies: immediately`, in which case each gets a `policy` input (recorded, so replay
 * switches too) and decides on the new version from its next input on.
 */
export async function syncActivePolicy(
  store: Store,
  registry: SessionRegistry,
  logger: Logger,
): Promise<LoadedPolicy | null> {
  const active = await store.policies.getActive();
  if (!active || active.id === registry.currentPolicy.version) return null;
  const loaded = await storedPolicy(store, active.id);
  registry.setPolicy(loaded);
  const immediately = loaded.policy.publishing?.applies === 'immediately';
  logger.info(
    { policyVersion: loaded.version, applies: immediately ? 'immediately' : 'new_sessions' },
    'policy reloaded',
  );
  if (immediately) {
    await Promise.all(
      registry
        .sessions()
        .filter((s) => !s.ended && s.guarded.policy.version !== loaded.version)
        .map((s) =>
          s
            .submit({ type: 'policy', version: loaded.version, policy: loaded.policy })
            .catch((e) => s.logger.error({ err: e }, 'switching the live session to the new policy failed')),
        ),
    );
  }
  return loaded;
}
