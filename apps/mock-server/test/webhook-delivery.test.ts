import { createHmac } from 'node:crypto';
import { createCampaignFlowScheme, createGitHubScheme, createStandardWebhooksScheme } from '@hooks/signing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { describeEachDatabase, type RunningServer, startServer } from './support/mock-harness.js';
import { type Receiver, startReceiver } from './support/receiver.js';

const SECRET = 'whsec-not-required-campaignflow-secret';

describeEachDatabase('webhook delivery', (database) => {
  let receiver: Receiver;
  const servers: RunningServer[] = [];
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await receiver.close();
  });

  async function start(env: Record<string, string> = {}): Promise<RunningServer> {
    const server = await startServer(database, {
      HOOKS_WEBHOOK_URL: receiver.url,
      HOOKS_WEBHOOK_SECRET: SECRET,
      ...env,
    });
    servers.push(server);
    return server;
  }

  async function emitCampaignEvent(server: RunningServer): Promise<string> {
    const { body } = await server.api('POST', '/api/v2/campaigns', { name: 'Signed' });
    const changed = await server.api('POST', `/api/v2/campaigns/${body.data.id}/set-status`, {
      status: 'active',
    });
    return changed.body.meta.events[0] as string;
  }

  it('sends the CampaignFlow contract: JSON, X-Webhook-Signature t=,v1= over "t.body", webhook-id', async () => {
    const server = await start();
    const id = await emitCampaignEvent(server);
    const request = await eventually(() => {
      const found = receiver.requests.find((r) => r.headers['webhook-id'] === id);
      if (found === undefined) throw new Error('not received yet');
      return found;
    });
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    const header = request.headers['x-webhook-signature'] as string;
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    expect(match).not.toBeNull();
    const expected = createHmac('sha256', Buffer.from(SECRET, 'utf8'))
      .update(`${match![1]}.${request.body}`)
      .digest('hex');
    expect(match![2]).toBe(expected);
    expect(Math.abs(Number(match![1]) - Date.now() / 1000)).toBeLessThan(30);
    expect(() =>
      createCampaignFlowScheme({ secret: SECRET }).verify(request.body, request.headers),
    ).not.toThrow();
    expect(() =>
      createCampaignFlowScheme({ secret: 'another-secret' }).verify(request.body, request.headers),
    ).toThrow();
    expect(JSON.parse(request.body)).toMatchObject({
      type: 'campaign_status_change',
      data: { campaign: { status: 'active' } },
    });
    await eventually(async () => {
      expect((await server.call('GET', `/_mock/webhook-events/${id}`)).body.data.status).toBe('delivered');
    });
  });

  it('retries a failing receiver on the configured schedule with the same webhook-id, then delivers', async () => {
    const server = await start({ HOOKS_RETRY_SCHEDULE: '0,100ms,100ms', HOOKS_MAX_ATTEMPTS: '5' });
    receiver.respondWith([500, 503]);
    const id = await emitCampaignEvent(server);
    const event = await eventually(async () => {
      const { body } = await server.call('GET', `/_mock/webhook-events/${id}`);
      expect(body.data.status).toBe('delivered');
      return body.data;
    });
    expect(event.attempts).toBe(3);
    const mine = receiver.requests.filter((r) => r.headers['webhook-id'] === id);
    expect(mine).toHaveLength(3);
    expect(new Set(mine.map((r) => r.body)).size).toBe(1);
    expect(event.attempt_history.map((a: { response_status: number }) => a.response_status)).toEqual([
      500, 503, 200,
    ]);
    expect(event.attempt_history[0].request_headers['webhook-id']).toBe(id);
    expect(event.attempt_history[0].request_headers['x-webhook-signature']).toMatch(
      /^t=\d+,v1=[0-9a-f]{64}$/,
    );
  });

  it('fails an event after max attempts', async () => {
    const server = await start({ HOOKS_RETRY_SCHEDULE: '0,50ms', HOOKS_MAX_ATTEMPTS: '2' });
    receiver.respondWith([], 500);
    const id = await emitCampaignEvent(server);
    const event = await eventually(async () => {
      const { body } = await server.call('GET', `/_mock/webhook-events/${id}`);
      expect(body.data.status).toBe('failed');
      return body.data;
    });
    expect(event).toMatchObject({
      attempts: 2,
      max_attempts: 2,
      response_status: 500,
      last_error: 'HTTP 500',
    });
  });

  it('delivers inside the request in sync mode (no embedded worker needed)', async () => {
    const server = await start({ HOOKS_DELIVERY_MODE: 'sync', HOOKS_EMBEDDED_WORKER: 'off' });
    const id = await emitCampaignEvent(server);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toContain(id);
    expect((await server.call('GET', `/_mock/webhook-events/${id}`)).body.data.status).toBe('delivered');
  });

  it('leaves events pending when the embedded worker is off in async mode (a hooks-worker would deliver them)', async () => {
    const server = await start({ HOOKS_EMBEDDED_WORKER: 'off' });
    const id = await emitCampaignEvent(server);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await server.call('GET', `/_mock/webhook-events/${id}`)).body.data).toMatchObject({
      status: 'pending',
      attempts: 0,
    });
    expect(receiver.requests).toHaveLength(0);
  });

  it('records events as skipped when no webhook URL is configured', async () => {
    const server = await startServer(database);
    servers.push(server);
    const id = await emitCampaignEvent(server);
    expect((await server.call('GET', `/_mock/webhook-events/${id}`)).body.data).toMatchObject({
      status: 'skipped',
      last_error: 'no target URL configured',
      target_url: null,
    });
  });

  it('signs with Standard Webhooks or GitHub when configured', async () => {
    // Sync delivery without workers, so neither server's scheduler can take the other's events.
    const whsec = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const standard = await start({
      HOOKS_SIGNATURE_SCHEME: 'standard-webhooks',
      HOOKS_WEBHOOK_SECRET: whsec,
      HOOKS_DELIVERY_MODE: 'sync',
      HOOKS_EMBEDDED_WORKER: 'off',
    });
    const id = await emitCampaignEvent(standard);
    const signed = receiver.requests.find((r) => r.headers['webhook-id'] === id)!;
    expect(createStandardWebhooksScheme({ secret: whsec }).verify(signed.body, signed.headers).id).toBe(id);
    const github = await start({
      HOOKS_SIGNATURE_SCHEME: 'github',
      HOOKS_DELIVERY_MODE: 'sync',
      HOOKS_EMBEDDED_WORKER: 'off',
    });
    const githubId = await emitCampaignEvent(github);
    const hub = receiver.requests.find((r) => r.headers['webhook-id'] === githubId)!;
    expect(hub.headers['x-hub-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(() => createGitHubScheme({ secret: SECRET }).verify(hub.body, hub.headers)).not.toThrow();
  });
});
