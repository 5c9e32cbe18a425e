import type { FastifyInstance } from 'fastify';
import { AgentConnection } from '../agent-connection.ts';
import type { GuardlineContext } from '../context.ts';
import { agentAuth, identityOf } from '../upgrade-auth.ts';

/** `/v1/agent`: Guardline's agent protocol over WebSocket (docs/protocol.md). */
export async function agentRoutes(app: FastifyInstance, { ctx }: { ctx: GuardlineContext }): Promise<void> {
  app.get('/v1/agent', { websocket: true, preValidation: agentAuth(ctx) }, (socket, req) => {
    const identity = identityOf(req);
    if (identity?.kind !== 'agent') {
      socket.close(1011, 'no identity');
      return;
    }
    new AgentConnection(socket, identity, ctx);
  });
}
