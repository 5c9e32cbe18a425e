import type { DeepgramClient } from '@deepgram/sdk';
import { GuardlineError } from '../../src/errors/index.ts';

/** The socket `listen.v1.connect` returns. */
export type ListenSocket = Awaited<ReturnType<DeepgramClient['listen']['v1']['connect']>>;
export type ListenMessage = Parameters<NonNullable<Parameters<ListenSocket['on']>[1]>>[0];

export interface ConnectionHandlers {
  onMessage(message: unknown): void;
  /** An open connection closed (not called for a failed attempt). */
  onClose(code: number, reason: string): void;
}

/** Maps a failed connection attempt to a typed error; `permanent` errors are not retried. */
export function classifyConnectError(message: string): { error: GuardlineError; permanent: boolean } {
  const status = /Unexpected server response: (\d{3})/.exec(message)?.[1];
  const httpStatus = status ? Number(status) : null;
  if (httpStatus === 401 || httpStatus === 403) {
    return {
      error: new GuardlineError('GL_TRANSCRIPTION_AUTH', `HTTP ${httpStatus}.`, { httpStatus }),
      permanent: true,
    };
  }
  if (httpStatus !== null && httpStatus >= 400 && httpStatus < 500 && httpStatus !== 408 && httpStatus !== 429) {
    return {
      error: new GuardlineError('GL_TRANSCRIPTION_REJECTED', `HTTP ${httpStatus}.`, { httpStatus }),
      permanent: true,
    };
  }
  return {
    error: new GuardlineError('GL_TRANSCRIPTION_UNAVAILABLE', message || 'Connection failed.', { httpStatus }),
    permanent: false,
  };
}

/**
 * Opens one Deepgram live connection through the SDK with the SDK's own reconnection off
 * (`reconnectAttempts: 0`, `shouldReconnect: () => false`); the transcriber owns reconnection.
 * Resolves once open; rejects with `classifyConnectError`'s result when the attempt fails.
 */
export async function openListenSocket(
  client: DeepgramClient,
  query: Record<string, string>,
  timeoutMs: number,
  handlers: ConnectionHandlers,
): Promise<ListenSocket> {
  const socket = await client.listen.v1.connect({
    ...query,
    model: query.model ?? 'nova-3',
    reconnectAttempts: 0,
    shouldReconnect: () => false,
    connectionTimeoutInSeconds: timeoutMs / 1000,
  });
  return new Promise<ListenSocket>((resolve, reject) => {
    let opened = false;
    let settled = false;
    let lastError = '';
    const fail = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        socket.close();
      } catch {
        // already closed
      }
      reject(classifyConnectError(lastError || 'Connection closed before it opened.'));
    };
    const timer = setTimeout(() => {
      lastError = lastError || `No connection within ${timeoutMs} ms.`;
      fail();
    }, timeoutMs);
    socket.on('open', () => {
      if (settled) return;
      opened = true;
      settled = true;
      clearTimeout(timer);
      resolve(socket);
    });
    socket.on('message', (message) => handlers.onMessage(message));
    socket.on('error', (error) => {
      lastError = error.message;
      // The SDK reports a failed handshake as close (1000) then error; settle once both are in.
      if (!opened) setImmediate(fail);
    });
    socket.on('close', (event) => {
      if (!opened) {
        setImmediate(fail);
        return;
      }
      handlers.onClose(event.code, event.reason ?? '');
    });
    socket.connect();
  });
}
