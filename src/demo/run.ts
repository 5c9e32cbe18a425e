import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FakeHubspot, startFakeHubspot } from '../../test/fakes/hubspot/server.ts';
import { readRecording, recordingFiles } from '../replay/files.ts';
import { playRecording } from './play.ts';
import { startLocalServer } from './server.ts';
import { DecisionTable } from './table.ts';

export const RECORDINGS_DIR = fileURLToPath(new URL('../../test/fixtures/recordings/', import.meta.url));

/** An IANA zone where it is about noon now, so outbound sample calls fall inside calling hours. */
export function daytimeZone(now = Date.now()): string {
  const offset = ((12 - new Date(now).getUTCHours() + 36) % 24) - 12;
  if (offset === 0) return 'Etc/GMT';
  // Etc/GMT zones are named with the sign reversed: Etc/GMT-5 is UTC+5.
  return offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

export interface DemoOptions {
  env: NodeJS.ProcessEnv;
  write: (line: string) => void;
  /** Default: the bundled recordings. */
  recordings?: string[];
  speedup?: number;
  maxPauseMs?: number;
}

/**
 * `npm run demo`: no keys, no setup. Starts a fake HubSpot and the real runtime (data under
 * GUARDLINE_DATA_DIR, or a temp dir), plays the bundled sample recordings through the real agent
 * protocol, prints each decision as it happens, then where to see them. Resolves with an exit code.
 */
export async function runDemo(o: DemoOptions): Promise<number> {
  const dataDir = o.env.GUARDLINE_DATA_DIR?.trim() || mkdtempSync(path.join(tmpdir(), 'guardline-demo-'));
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(24).toString('hex');
  let hubspot: FakeHubspot | null = null;
  try {
    hubspot = await startFakeHubspot({
      extraProperties: {
        contacts: ['guardline_do_not_call', 'guardline_write_id', 'hs_do_not_call'],
        deals: ['guardline_write_id'],
        notes: ['guardline_write_id'],
        calls: ['guardline_write_id'],
        tasks: ['guardline_write_id'],
      },
    });
    for (const id of ['101', '102', '103', '104'])
      hubspot.state.seed('contacts', { firstname: `Sample ${id}`, email: `sample${id}@example.com` }, id);
    hubspot.state.seed('deals', { dealname: 'Acme annual plan', amount: '12000', dealstage: 'contractsent' }, '501');
    const server = await startLocalServer({
      dataDir,
      secret,
      port: Number(o.env.GUARDLINE_DEMO_PORT ?? 0),
      crmWorker: true,
      env: {
        HUBSPOT_BASE_URL: hubspot.url,
        HUBSPOT_ACCESS_TOKEN: hubspot.token,
        GUARDLINE_PUBLIC_URL: 'http://127.0.0.1',
        ...(o.env.GUARDLINE_CONSOLE ? { GUARDLINE_CONSOLE: o.env.GUARDLINE_CONSOLE } : {}),
      },
    });
    try {
      o.write(`Guardline demo: runtime at ${server.url} (data in ${dataDir}), fake HubSpot at ${hubspot.url}`);
      o.write(`Policy ${server.gl.registry.currentPolicy.version}. Playing the sample calls:\n`);
      const table = new DecisionTable(o.write, Date.now());
      table.header();
      const token = await server.agentToken('demo-agent', ['booking', 'transfer', 'closing']);
      const suffix = Date.now().toString(36);
      const files = recordingFiles(o.recordings ?? [RECORDINGS_DIR]);
      let decisions = 0;
      for (const file of files) {
        const recording = readRecording(file);
        const played = await playRecording(recording, {
          url: server.url,
          token,
          store: server.gl.store,
          table,
          suffix,
          daytimeZone: daytimeZone(),
          ...(o.speedup ? { speedup: o.speedup } : {}),
          ...(o.maxPauseMs !== undefined ? { maxPauseMs: o.maxPauseMs } : {}),
        });
        decisions += played.length;
      }
      o.write(`\n${files.length} calls, ${decisions} decisions, every one recorded in the signed audit log.`);
      o.write(
        `See them in the console: GUARDLINE_DATA_DIR=${dataDir} npm start, then open http://localhost:8787/console`,
      );
      o.write(`Replay them against a candidate policy: npx guardline replay ${RECORDINGS_DIR} --policy <file>`);
      o.write(`Verify the audit chain: GUARDLINE_DATA_DIR=${dataDir} npx guardline audit verify`);
      return 0;
    } finally {
      await server.gl.shutdown('demo done');
    }
  } finally {
    await hubspot?.close();
  }
}
