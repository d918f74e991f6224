import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { describeEachDatabase, type RunningServer, startServer } from './support/mock-harness.js';
import { type Receiver, startReceiver } from './support/receiver.js';

describeEachDatabase('webhook admin API', (database) => {
  let receiver: Receiver;
  let server: RunningServer;
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startServer(database, {
      HOOKS_WEBHOOK_URL: receiver.url,
      HOOKS_RETRY_SCHEDULE: '0,50ms',
      HOOKS_MAX_ATTEMPTS: '2',
    });
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  async function emit(status = 'active'): Promise<string> {
    const { body } = await server.api('POST', '/api/v2/campaigns', { name: 'Admin' });
    return (await server.api('POST', `/api/v2/campaigns/${body.data.id}/set-status`, { status })).body.meta
      .events[0];
  }

  async function settled(id: string, status: string) {
    return eventually(async () => {
      const { body } = await server.call('GET', `/_mock/webhook-events/${id}`);
      expect(body.data.status).toBe(status);
      return body.data;
    });
  }

  it('lists events newest first with filters, a limit and a cursor', async () => {
    receiver.respondWith([]);
    const ids = [await emit('pending'), await emit('paused'), await emit('completed')];
    for (const id of ids) await settled(id, 'delivered');
    const first = await server.call(
      'GET',
      '/_mock/webhook-events?limit=2&type=campaign_status_change&status=delivered',
    );
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.data[0].id > first.body.data[1].id).toBe(true);
    expect(
      first.body.data.every(
        (e: { status: string; type: string }) =>
          e.status === 'delivered' && e.type === 'campaign_status_change',
      ),
    ).toBe(true);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await server.call(
      'GET',
      `/_mock/webhook-events?limit=2&type=campaign_status_change&cursor=${encodeURIComponent(first.body.next_cursor)}`,
    );
    expect(second.body.data[0].id < first.body.data[1].id).toBe(true);
    const none = await server.call('GET', '/_mock/webhook-events?type=no_such_type');
    expect(none.body).toEqual({ data: [], next_cursor: null });
    for (const query of ['status=nope', 'limit=0', 'limit=1001', 'cursor=%21%21', 'limit=abc']) {
      const bad = await server.call('GET', `/_mock/webhook-events?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error.code).toEqual(expect.any(String));
    }
  });

  it('shows one event with its payload and attempts; 404 for unknown ids', async () => {
    receiver.respondWith([]);
    const id = await emit();
    const event = await settled(id, 'delivered');
    expect(event).toMatchObject({
      id,
      type: 'campaign_status_change',
      attempts: 1,
      response_status: 200,
      response_body: 'ok',
    });
    expect(event.payload.type).toBe('campaign_status_change');
    expect(event.attempt_history).toHaveLength(1);
    expect(event.attempt_history[0]).toMatchObject({ attempt_number: 1, response_status: 200, error: null });
    expect(event.attempt_history[0].request_headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': id,
    });
    for (const unknown of ['evt_01J00000000000000000000000', 'not an id', 'x'.repeat(100)]) {
      const response = await server.call('GET', `/_mock/webhook-events/${encodeURIComponent(unknown)}`);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('not_found');
    }
    expect(
      (await server.call('POST', '/_mock/webhook-events/evt_01J00000000000000000000000/redeliver')).status,
    ).toBe(404);
  });

  it('redelivers a failed event: replays it (replay count + 1), then delivers it now', async () => {
    receiver.respondWith([], 500);
    const id = await emit();
    const failed = await settled(id, 'failed');
    expect(failed.attempts).toBe(2);
    receiver.respondWith([], 200);
    const redelivered = await server.call('POST', `/_mock/webhook-events/${id}/redeliver`);
    expect(redelivered.status).toBe(200);
    expect(redelivered.body.data).toMatchObject({ id, status: 'delivered', replay_count: 1, attempts: 1 });
    expect(redelivered.body.data.attempt_history).toHaveLength(3);
    const again = await server.call('POST', `/_mock/webhook-events/${id}/redeliver`);
    expect(again.body.data).toMatchObject({ status: 'delivered', replay_count: 2 });
  });

  it('replays a bounded selection (dry run first), and refuses an unbounded one with examples', async () => {
    receiver.respondWith([], 500);
    const ids = [await emit(), await emit()];
    for (const id of ids) await settled(id, 'failed');
    const dry = await server.call('POST', '/_mock/webhook-events/replay', {
      body: { ids, limit: 10, dryRun: true },
    });
    expect(dry.status).toBe(200);
    expect(dry.body.data).toMatchObject({ dryRun: true, matched: 2, eligible: 2, replayed: 0 });
    expect(dry.body.data.candidates.map((c: { id: string }) => c.id).sort()).toEqual([...ids].sort());
    receiver.respondWith([], 200);
    const done = await server.call('POST', '/_mock/webhook-events/replay', { body: { ids, limit: 10 } });
    expect(done.body.data).toMatchObject({ dryRun: false, matched: 2, replayed: 2 });
    for (const id of ids) expect((await settled(id, 'delivered')).replay_count).toBe(1);
    const since = new Date(Date.now() - 60_000).toISOString();
    const byTime = await server.call('POST', '/_mock/webhook-events/replay', {
      body: { since, type: 'campaign_status_change', status: 'delivered', limit: 1, dryRun: true },
    });
    expect(byTime.body.data.matched).toBe(1);
    for (const body of [{}, { limit: 10 }, { ids }, { dryRun: true, limit: 5 }]) {
      const refused = await server.call('POST', '/_mock/webhook-events/replay', { body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.code).toBe('unbounded_replay');
      expect(refused.body.error.message).toContain('{"ids":["evt_..."],"limit":10}');
    }
    for (const body of [
      { ids: ['bad id!'], limit: 1 },
      { since: 'yesterday', limit: 1 },
      { ids, limit: 0 },
      { ids, status: 'pending', limit: 1 },
    ]) {
      expect(
        (await server.call('POST', '/_mock/webhook-events/replay', { body })).status,
        JSON.stringify(body),
      ).toBe(400);
    }
  });

  it('replays by targetUrl: only the events sent to that URL; a bad targetUrl is a 400 naming it', async () => {
    receiver.respondWith([], 500);
    const since = new Date(Date.now() - 1000).toISOString();
    const ids = [await emit(), await emit()];
    for (const id of ids) await settled(id, 'failed');
    const replay = (body: Record<string, unknown>) =>
      server.call('POST', '/_mock/webhook-events/replay', { body });
    const elsewhere = await replay({ targetUrl: 'https://elsewhere.example.test/hooks', since, limit: 10 });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.data).toMatchObject({ matched: 0, replayed: 0 });
    // A targetUrl alone bounds a replay.
    const dry = await replay({ targetUrl: receiver.url, limit: 10, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.data.candidates.map((c: { id: string }) => c.id)).toEqual(ids);
    receiver.respondWith([], 200);
    const done = await replay({
      targetUrl: [receiver.url],
      type: 'campaign_status_change',
      since,
      limit: 10,
    });
    expect(done.body.data).toMatchObject({ dryRun: false, matched: 2, replayed: 2 });
    for (const id of ids) expect((await settled(id, 'delivered')).replay_count).toBe(1);

    const secret = 'ftp://files.example.test/x?token=s3cret';
    for (const targetUrl of [secret, 'not a url', [receiver.url, secret]]) {
      const refused = await replay({ targetUrl, limit: 10 });
      expect(refused.status, JSON.stringify(targetUrl)).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'invalid_input', details: { field: 'targetUrl' } });
      expect(refused.body.error.message).toMatch(
        /^targetUrl(\[1\])? must be an (absolute|http or https) URL$/,
      );
      expect(JSON.stringify(refused.body)).not.toContain('s3cret');
    }
    for (const targetUrl of [[], '', 42, 'x'.repeat(4097)]) {
      const refused = await replay({ targetUrl, limit: 10 });
      expect(refused.status, JSON.stringify(targetUrl).slice(0, 40)).toBe(400);
      expect(JSON.stringify(refused.body.error)).toContain('targetUrl');
    }
    const noLimit = await replay({ targetUrl: receiver.url });
    expect(noLimit.body.error.code).toBe('unbounded_replay');
    expect(noLimit.body.error.message).toContain('{"targetUrl":"https://example.com/hooks","limit":100}');
  });

  it('serves diagnostics, health, metrics, the dashboard and an index', async () => {
    const diagnostics = await server.call('GET', '/_mock/diagnostics');
    expect(diagnostics.status).toBe(200);
    expect(diagnostics.body.data.dispatcher).toMatchObject({
      storeKind: database.kind,
      deliveryMode: 'async',
      schedulerRunning: true,
    });
    expect(diagnostics.body.data.store.counts).toMatchObject({ delivered: expect.any(Number) });
    expect(diagnostics.body.data.config).toMatchObject({
      webhookUrlConfigured: true,
      signatureScheme: 'campaignflow',
      maxAttempts: 2,
    });
    expect(JSON.stringify(diagnostics.body)).not.toContain('test-secret-for-the-mock');
    expect((await server.call('GET', '/healthz')).body).toEqual({ status: 'ok', store: database.kind });
    const metrics = await server.call('GET', '/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.text).toMatch(
      /hooks_attempt_outcomes_total\{outcome="delivered",app="mock-server"\} [1-9]/,
    );
    expect(metrics.text).toContain('hooks_queue_capacity{app="mock-server"} 1000');
    expect(metrics.text).toMatch(/hooks_events\{status="delivered",app="mock-server"\} [1-9]/);
    const dashboard = await server.call('GET', '/_mock/');
    expect(dashboard.headers.get('content-type')).toContain('text/html');
    expect(dashboard.text).toContain('<title>Webhook events');
    expect((await server.call('GET', '/')).body.dashboard).toBe('/_mock/');
    const unknown = await server.call('GET', '/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 'not_found', message: 'no route GET /nope' } });
  });
});

// Servers without a scheduler, on a database of their own: no other server's worker may touch their rows.
describeEachDatabase('webhook admin API without a worker', (database) => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  it('redelivers a pending event straight away', async () => {
    const quiet = await startServer(database, {
      HOOKS_WEBHOOK_URL: receiver.url,
      HOOKS_EMBEDDED_WORKER: 'off',
    });
    try {
      receiver.respondWith([]);
      const { body } = await quiet.api('POST', '/api/v2/campaigns', { name: 'Pending' });
      const id = (
        await quiet.api('POST', `/api/v2/campaigns/${body.data.id}/set-status`, { status: 'active' })
      ).body.meta.events[0];
      expect((await quiet.call('GET', `/_mock/webhook-events/${id}`)).body.data.attempts).toBe(0);
      const redelivered = await quiet.call('POST', `/_mock/webhook-events/${id}/redeliver`);
      expect(redelivered.body.data).toMatchObject({ status: 'delivered', attempts: 1, replay_count: 0 });
    } finally {
      await quiet.close();
    }
  });

  it('refuses to redeliver an event recorded without a webhook URL (409)', async () => {
    const bare = await startServer(database);
    try {
      const { body } = await bare.api('POST', '/api/v2/campaigns', { name: 'No URL' });
      const id = (
        await bare.api('POST', `/api/v2/campaigns/${body.data.id}/set-status`, { status: 'active' })
      ).body.meta.events[0];
      const response = await bare.call('POST', `/_mock/webhook-events/${id}/redeliver`);
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('no_target_url');
    } finally {
      await bare.close();
    }
  });
});
