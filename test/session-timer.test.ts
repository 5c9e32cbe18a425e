import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardlineAgent } from '../src/client/index.ts';
import { breakApply, helloSession, startServer, type TestServer } from './server-harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ transcribers: null });
});
afterAll(async () => server?.close());

describe("a session's deadline timer", () => {
  it('keeps running after a tick fails to apply: the silence timeout still ends the call', async () => {
    const a = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken(),
      session: helloSession(),
    });
    let failed = 0;
    breakApply(server, a.sessionId, (input) => input.type === 'tick' && failed === 0 && ++failed === 1);
    const end = await a.directive('end_call', 8000);
    expect(failed).toBe(1);
    expect(end.rule).toBe('timeout.silence');
    await a.close();
  }, 15_000);
});
