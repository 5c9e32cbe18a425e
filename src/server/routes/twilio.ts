import type { FastifyInstance } from 'fastify';
import type { GuardlineContext } from '../context.ts';
import { TwilioConnection } from '../twilio-connection.ts';
import { agentAuth, identityOf } from '../upgrade-auth.ts';

/**
 * `/v1/telephony/twilio`: Twilio Media Streams. The agent token comes as `?token=` (checked at
 * the upgrade: 401/403) or as a `token` <Parameter> (checked at `start`: close code 4401).
 */
export async function twilioRoutes(app: FastifyInstance, { ctx }: { ctx: GuardlineContext }): Promise<void> {
  app.get(
    '/v1/telephony/twilio',
    { websocket: true, preValidation: agentAuth(ctx, { optional: true }) },
    (socket, req) => {
      new TwilioConnection(socket, identityOf(req), ctx);
    },
  );
}
