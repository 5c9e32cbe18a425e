/**
 * The console end to end in a real browser: Debian's Chromium driven by playwright-core. An agent
 * proposes an over-bound concession (held for approval); a manager approves it in the page; the
 * agent receives `approval_result` approved and the held proposal's allow decision. The kill
 * switch: a manager suspends a live call's agent in the page (the agent gets `hold`) and lifts it
 * (`resume`).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardlineAgent } from '../src/client/index.ts';
import type { ApprovalResultMessage } from '../src/client/protocol.ts';
import { disclosureText, helloSession, policyFile, startServer, type TestServer } from './server-harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
  console.warn(`console-browser: skipped, ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

describe.skipIf(!available)('console in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    // Approvals wait 60 s and silence 60 s: the page has time to approve on a loaded machine.
    server = await startServer({
      policy: (dir) => policyFile(dir, { approval_wait_seconds: 60, silence_seconds: 60 }),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('approves a held concession in the page; the agent gets approval_result and the allow', async () => {
    const agent = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken('agent-browser', ['closing']),
      session: helloSession(),
    });
    expect((await agent.propose('say', { text: disclosureText() })).outcome).toBe('allow');
    const held = await agent.propose('concession', { type: 'percent_off', value: 20 }, { id: 'browser-20-off' });
    expect(held.outcome).toBe('needs_approval');
    const approvalId = held.approval?.id as string;

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${server.url}/console`);
    await expect.poll(() => page.textContent('#whoami')).toContain('console@localhost');

    // The live session and its decisions, with the rationale.
    const row = page.locator(`[data-session-id="${agent.sessionId}"]`).first();
    await row.waitFor();
    await row.click();
    await page.locator('#session-detail tr[data-outcome="needs_approval"]').waitFor();
    expect(await page.textContent('#session-detail')).toContain('concession.needs_approval');

    // Approve it under Approvals, with a reason.
    await page.click('button[data-view="approvals"]');
    const card = page.locator(`[data-approval-id="${approvalId}"]`);
    await card.waitFor();
    await card.locator('input.reason').fill('good customer, approved in the console');
    const result = agent.waitFor((m) => m.type === 'approval_result', 20_000) as Promise<ApprovalResultMessage>;
    await card.locator('button.approve').click();
    expect(await result).toMatchObject({ type: 'approval_result', approvalId, status: 'approved' });
    const through = await agent.waitFor(
      (m) => m.type === 'decision' && m.proposalId === 'browser-20-off' && m.decision.outcome !== 'needs_approval',
      20_000,
    );
    expect(through).toMatchObject({ decision: { outcome: 'allow', overrideId: `${approvalId}.override` } });
    await card.waitFor({ state: 'detached' });

    // The vote is recorded under the console's identity.
    const row2 = await server.gl.store.approvals.get(approvalId);
    expect(row2?.votes).toEqual([expect.objectContaining({ approverId: 'console@localhost', verdict: 'approve' })]);

    // Back on the session: the allow that consumed the override shows up.
    await page.click('button[data-view="sessions"]');
    await page.locator(`[data-session-id="${agent.sessionId}"]`).first().click();
    await page.locator('#session-detail tr[data-outcome="allow"] >> text=concession').first().waitFor();

    // Risk signals draw their charts.
    await page.click('button[data-view="signals"]');
    await page.locator('#charts svg.chart').first().waitFor();
    expect(await page.locator('#charts figure').count()).toBe(5);
    expect(await page.textContent('#signal-totals')).toContain('approvals');
    const stat = (label: string) => page.locator('.stat', { hasText: label }).locator('strong').textContent();
    expect(await stat('overrides used')).toBe('1');
    expect(await stat('decisions')).toBe('3');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-signals.png'), fullPage: true });

    await page.click('button[data-view="sessions"]');
    await page.screenshot({ path: path.join(ARTIFACTS, 'console.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
    await agent.close();
  }, 90_000);

  it('suspends the agent of a live call in the kill switch view (hold), then lifts it (resume)', async () => {
    const agent = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken('agent-kill-switch', ['closing']),
      session: helloSession(),
    });
    expect((await agent.propose('say', { text: disclosureText() })).outcome).toBe('allow');

    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${server.url}/console`);
    await expect.poll(() => page.textContent('#whoami')).toContain('console@localhost');
    await page.click('button[data-view="kill-switch"]');

    // The live call's agent is offered as a choice; pick it, give a reason, suspend (hold).
    await page.locator('#suspend-choices [data-choice="agent-kill-switch"]').click();
    expect(await page.inputValue('#suspend-form input[name="target"]')).toBe('agent-kill-switch');
    await page.fill('#suspend-form input[name="reason"]', 'pitching off-script');
    const held = agent.directive('hold', 20_000);
    await page.click('#suspend-form button[type="submit"]');
    expect((await held).message).toContain('pitching off-script');

    const [row] = await server.gl.store.suspensions.listActive();
    expect(row).toMatchObject({ scope: 'agent', target: 'agent-kill-switch', action: 'hold' });
    const listed = page.locator(`#suspensions tr[data-suspension-id="${row?.id}"]`);
    await listed.waitFor();
    expect(await listed.textContent()).toContain('pitching off-script');
    await expect.poll(() => listed.locator('td.held').textContent()).toBe('1');
    expect(await page.textContent('#suspension-count')).toBe('1');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-kill-switch.png'), fullPage: true });

    // Lift it with a reason: the held call resumes and the row goes away.
    await listed.locator('input.reason').fill('coached, back on script');
    const resumed = agent.directive('resume', 20_000);
    await listed.locator('button.lift-button').click();
    await resumed;
    await listed.waitFor({ state: 'detached' });
    expect(await server.gl.store.suspensions.get(row?.id as string)).toMatchObject({
      liftedBy: 'human:console@localhost',
      liftReason: 'coached, back on script',
    });
    expect(problems).toEqual([]);
    await page.close();
    await agent.close();
  }, 60_000);
});
