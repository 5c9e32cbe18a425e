import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

/**
 * A per-request timeout for `@hubspot/api-client`, which has none of its own and ignores a per-call
 * `httpApi`. When a request carries an agent the client sends it through `http.request`; this agent
 * destroys the request's socket when `signal` aborts, so the call fails instead of hanging.
 */
export function abortableAgent(baseUrl: string, signal: AbortSignal): http.Agent {
  const agent = baseUrl.startsWith('https:')
    ? new https.Agent({ keepAlive: false })
    : new http.Agent({ keepAlive: false });
  const create = agent.createConnection.bind(agent) as (...args: unknown[]) => Duplex;
  (agent as unknown as { createConnection: (...args: unknown[]) => Duplex }).createConnection = (...args) => {
    const socket = create(...args);
    const kill = () => socket.destroy(new Error(`aborted: ${String(signal.reason ?? 'timeout')}`));
    if (signal.aborted) queueMicrotask(kill);
    else {
      signal.addEventListener('abort', kill, { once: true });
      socket.once('close', () => signal.removeEventListener('abort', kill));
    }
    return socket;
  };
  return agent;
}

/** Rejects with `onTimeout()` if `promise` has not settled when `signal` aborts (belt and braces). */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(`aborted: ${String(signal.reason ?? 'timeout')}`));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
