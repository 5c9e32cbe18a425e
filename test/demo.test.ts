import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { daytimeZone, runDemo } from '../src/demo/run.ts';
import { sqliteConfig } from '../src/store/config.ts';
import { openStore } from '../src/store/index.ts';

describe('demo', () => {
  it('plays every sample call through the real runtime, prints each decision, and leaves them in the store', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guardline-demo-test-'));
    const lines: string[] = [];
    try {
      const code = await runDemo({
        env: { GUARDLINE_DATA_DIR: dir },
        write: (l) => lines.push(l),
        speedup: 1000,
        maxPauseMs: 5,
      });
      expect(code).toBe(0);
      const text = lines.join('\n');
      expect(text).toMatch(/book_meeting\s+ALLOW/);
      expect(text).toMatch(/concession 20%\s+NEEDS_APPROVAL/);
      expect(text).toMatch(/concession 20%\s+ALLOW/);
      expect(text).toMatch(/directive end_call.*opted out/);
      expect(text).toMatch(/directive end_call.*Voicemail/);
      expect(text).toMatch(/send_message\s+SANITIZE.*\[email\]/);
      expect(text).toContain('/console');
      const store = await openStore(sqliteConfig(path.join(dir, 'guardline.db')), { readOnly: true });
      try {
        const sessions = await store.sessions.list({ limit: 50 });
        expect(sessions.length).toBe(5);
        const decisions = (await Promise.all(sessions.map((s) => store.decisions.listBySession(s.id)))).flat();
        expect(decisions.length).toBe(13);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('picks a time zone where it is daytime for outbound sample calls', () => {
    for (const hour of [0, 5, 11, 12, 17, 23]) {
      const now = Date.UTC(2026, 10, 18, hour, 30);
      const local = new Intl.DateTimeFormat('en-US', {
        timeZone: daytimeZone(now),
        hour: 'numeric',
        hourCycle: 'h23',
      }).format(now);
      expect(Number(local)).toBeGreaterThanOrEqual(11);
      expect(Number(local)).toBeLessThanOrEqual(13);
    }
  });
});
