/**
 * Runs the fake HubSpot standalone (for `npm run demo` and manual checks):
 *   tsx test/fakes/hubspot/main.ts [port]
 * Prints the base URL and token to use as HUBSPOT_BASE_URL / HUBSPOT_ACCESS_TOKEN.
 */
import { startFakeHubspot } from './server.ts';

const port = Number(process.argv[2] ?? 0);
const fake = await startFakeHubspot({
  port,
  extraProperties: {
    contacts: ['guardline_do_not_call', 'guardline_write_id'],
    deals: ['guardline_write_id'],
    notes: ['guardline_write_id'],
    calls: ['guardline_write_id'],
    tasks: ['guardline_write_id'],
  },
});
process.stdout.write(`${JSON.stringify({ url: fake.url, token: fake.token })}\n`);
const stop = () => void fake.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
