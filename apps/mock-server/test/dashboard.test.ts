import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from './support/mock-harness.js';
import { type Receiver, startReceiver } from './support/receiver.js';

const CHROMIUM = '/usr/bin/chromium';
/** The page refreshes itself every 3 s; allow a few refreshes on a busy machine. */
const POLL = { timeout: 10_000 };
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

if (!existsSync(CHROMIUM)) {
  throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (the CI script installs it)`);
}

describe('dashboard in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mock-dashboard-'));
  let receiver: Receiver;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    receiver = await startReceiver();
    receiver.respondWith([], 500);
    // No embedded worker: events stay pending until someone presses Redeliver, so attempts only grow by clicks.
    server = await startServer(
      { kind: 'sqlite', url: `sqlite:${join(dir, 'dashboard.sqlite')}` },
      { HOOKS_WEBHOOK_URL: receiver.url, HOOKS_EMBEDDED_WORKER: 'off', HOOKS_MAX_ATTEMPTS: '5' },
    );
    for (const [name, status] of [
      ['Summer', 'active'],
      ['Autumn', 'paused'],
    ] as const) {
      const { body } = await server.api('POST', '/api/v2/campaigns', { name });
      await server.api('POST', `/api/v2/campaigns/${body.data.id}/set-status`, { status });
    }
    const { body } = await server.api('POST', '/api/v2/campaigns', { name: 'Winter' });
    await server.api('POST', `/api/v2/campaigns/${body.data.id}/set-status`, { status: 'pending' });
    const application = await server.api('POST', '/api/v2/finance-applications', {
      campaign_id: body.data.id,
      applicant_name: 'Ada',
    });
    await server.api('POST', `/api/v2/finance-applications/${application.body.data.id}/set-status`, {
      status: 'approved',
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the events, filters them, opens one and redelivers it (the attempt count grows)', async () => {
    await page.goto(`${server.url}/_mock/`);
    const rows = page.locator('tbody#events tr[data-event-id]');
    await expect.poll(() => rows.count(), POLL).toBe(5);
    await expect.poll(() => page.locator('#counts').textContent(), POLL).toContain('5 pending');

    await page.selectOption('#filter-type', 'finance_application_status_change');
    await expect.poll(() => rows.count(), POLL).toBe(1);
    await page.selectOption('#filter-type', '');
    await page.selectOption('#filter-status', 'delivered');
    await expect.poll(() => page.locator('#empty').isVisible(), POLL).toBe(true);
    await page.selectOption('#filter-status', 'pending');
    await expect.poll(() => rows.count(), POLL).toBe(5);

    const first = rows.first();
    const id = await first.getAttribute('data-event-id');
    await first.click();
    await expect.poll(() => page.locator('#detail-id').textContent(), POLL).toBe(id);
    expect(await page.locator('#detail-payload').textContent()).toContain('"previousStatus": "pending"');
    expect(await page.locator('#detail-attempts').textContent()).toBe('0 of 5');
    expect(await page.locator('#detail-headers').textContent()).toBe('No attempt yet.');

    await page.click('#redeliver');
    await expect.poll(() => page.locator('#detail-attempts').textContent(), POLL).toBe('1 of 5');
    await expect.poll(() => page.locator('#detail-history tr').count(), POLL).toBe(1);
    expect(await page.locator('#detail-headers').textContent()).toMatch(
      /x-webhook-signature: t=\d+,v1=[0-9a-f]{64}/,
    );
    expect(await page.locator('#detail-headers').textContent()).toContain(`webhook-id: ${id}`);
    expect(await page.locator('#notice').textContent()).toContain('HTTP 500');

    await page.click('#redeliver');
    await expect.poll(() => page.locator('#detail-attempts').textContent(), POLL).toBe('2 of 5');
    await expect
      .poll(() => page.locator(`tr[data-event-id="${id}"] td.attempts`).textContent())
      .toBe('2 / 5');

    receiver.respondWith([], 200);
    await page.click('#redeliver');
    await expect.poll(() => page.locator('#detail-status').textContent(), POLL).toBe('delivered');
    await page.selectOption('#filter-status', 'delivered');
    await expect.poll(() => rows.count(), POLL).toBe(1);
    if (process.env.HOOKS_DASHBOARD_SCREENSHOT)
      await page.screenshot({ path: process.env.HOOKS_DASHBOARD_SCREENSHOT, fullPage: true });

    await page.click('#replay');
    await expect.poll(() => page.locator('#notice').textContent(), POLL).toContain('Replayed');
    await expect.poll(() => page.locator('#detail-replays').textContent(), POLL).toBe('1');
    // No embedded worker: the replayed event waits, pending, for a worker (or a Redeliver click).
    await page.selectOption('#filter-status', '');
    await expect.poll(() => page.locator('#detail-status').textContent(), POLL).toBe('pending');
    await page.click('#redeliver');
    await expect.poll(() => page.locator('#detail-status').textContent(), POLL).toBe('delivered');
    await expect.poll(() => page.locator('#detail-history tr').count(), POLL).toBe(4);
  });

  it('shows a target disabled by 410 Gone, skips the next event without a request, and re-enables it', async () => {
    const rows = page.locator('tbody#events tr[data-event-id]');
    // The first test's target failed twice, then succeeded: on record, healthy again.
    await expect.poll(() => page.locator('#endpoints-body tr[data-state="healthy"]').count(), POLL).toBe(1);
    expect(await page.locator('#endpoints-summary').textContent()).toBe('0 disabled, 0 failing');
    await page.selectOption('#filter-status', 'pending');
    await expect.poll(() => rows.count(), POLL).toBe(4);

    receiver.respondWith([], 410);
    const gone = await rows.nth(0).getAttribute('data-event-id');
    await rows.nth(0).click();
    await expect.poll(() => page.locator('#detail-id').textContent(), POLL).toBe(gone);
    await page.click('#redeliver');
    await expect.poll(() => page.locator('#detail-status').textContent(), POLL).toBe('skipped');
    expect(await page.locator('#detail-error').textContent()).toContain('410 Gone');
    const disabled = page.locator('#endpoints-body tr[data-state="disabled"]');
    await expect.poll(() => disabled.count(), POLL).toBe(1);
    expect(await disabled.locator('td.reason').textContent()).toBe('410 Gone');
    expect(await disabled.locator('td.failures').textContent()).toBe('1');
    expect(await page.locator('#endpoints-summary').textContent()).toBe('1 disabled, 0 failing');

    receiver.respondWith([], 200);
    const sent = receiver.requests.length;
    await expect.poll(() => rows.count(), POLL).toBe(3);
    const skipped = await rows.nth(0).getAttribute('data-event-id');
    await rows.nth(0).click();
    await expect.poll(() => page.locator('#detail-id').textContent(), POLL).toBe(skipped);
    await page.click('#redeliver');
    await expect.poll(() => page.locator('#detail-status').textContent(), POLL).toBe('skipped');
    expect(await page.locator('#detail-error').textContent()).toMatch(
      /^endpoint disabled since .+: 410 Gone$/,
    );
    expect(receiver.requests.length).toBe(sent);
    if (process.env.HOOKS_DASHBOARD_SCREENSHOT) {
      const path = process.env.HOOKS_DASHBOARD_SCREENSHOT.replace(/(\.png)?$/, '-endpoints.png');
      await page.screenshot({ path, fullPage: true });
    }

    await disabled.locator('button.enable').click();
    await expect
      .poll(() => page.locator('#endpoints-notice').textContent(), POLL)
      .toBe(`Re-enabled ${receiver.url}; 2 skipped events replayed.`);
    await expect.poll(() => disabled.count(), POLL).toBe(0);
    await expect.poll(() => page.locator('#endpoints-body tr[data-state="healthy"]').count(), POLL).toBe(1);
    // Both events are pending again (no embedded worker); Redeliver sends the selected one.
    await expect.poll(() => page.locator('#detail-status').textContent(), POLL).toBe('pending');
    await page.click('#redeliver');
    await expect.poll(() => page.locator('#detail-status').textContent(), POLL).toBe('delivered');
    expect(receiver.requests.length).toBe(sent + 1);
    const { body } = await server.api('GET', `/_mock/webhook-events/${gone}`);
    expect(body.data).toMatchObject({ status: 'pending', replay_count: 1 });
  });
});
