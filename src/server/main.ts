import { loadConfig } from '../config/index.ts';
import { consoleBanner } from '../console/banner.ts';
import { isGuardlineError } from '../errors/index.ts';
import { tuneV8ForRuntime } from '../runtime/v8-tuning.ts';
import { Guardline } from './guardline.ts';
import { loadHubSpotCardConfig } from './routes/hubspot-card.ts';

/** `npm start`: configuration from the environment, listen on PORT, graceful shutdown on SIGTERM/SIGINT. */
export async function startFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<Guardline> {
  tuneV8ForRuntime();
  const config = loadConfig(env);
  if (config.jwt.kind === 'secret' && config.jwt.generated) {
    process.stderr.write(
      `guardline: generated a development token secret in ${config.jwt.file}\n` +
        'guardline: mint an agent token with `npx guardline token --agent my-agent --tenant acme --roles booking,closing`\n',
    );
  }
  const guardline = await Guardline.start({ config, hubspotCard: loadHubSpotCardConfig(env) });
  process.stderr.write(consoleBanner(guardline.url, config.console));
  const stop = (signal: string) => {
    guardline.shutdown(signal).then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`guardline: shutdown failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return guardline;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startFromEnv().catch((e) => {
    if (isGuardlineError(e)) {
      process.stderr.write(`guardline: ${e.code}: ${e.message}\n  what to do: ${e.action}\n`);
    } else process.stderr.write(`guardline: could not start: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
