import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { describeEachDatabase, type RunningServer, startServer } from './support/mock-harness.js';
import { type Receiver, startReceiver } from './support/receiver.js';

describeEachDatabase('endpoint health admin API', (database) => {
  let receiver: Receiver;
  let server: RunningServer;
  let target: string;
  beforeAll(async () => {
    receiver = await startReceiver();
    // A token in the query: the API never shows it.
    target = `${receiver.url}?token=s3cret`;
    server = await startServer(database, {
      HOOKS_WEBHOOK_URL: target,
      HOOKS_DELIVERY_MODE: 'sync',
      HOOKS_MAX_ATTEMPTS: '1',
      HOOKS_EMBEDDED_WORKER: 'off',
    });
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  async function emit(): Promise<string> {
    const { body } = await server.api('POST', '/api/v2/campaigns', { name: 'Endpoints' });
    return (await server.api('POST', `/api/v2/campaigns/${body.data.id}/set-status`, { status: 'active' }))
      .body.meta.events[0];
  }

  async function status(id: string): Promise<Record<string, unknown>> {
    return (await server.call('GET', `/_mock/webhook-events/${id}`)).body.data;
  }

  it('lists nothing until a target fails; then shows it disabled by 410 Gone, never its token', async () => {
    expect((await server.call('GET', '/_mock/endpoints')).body).toEqual({ data: [] });
    receiver.respondWith([], 410);
    const gone = await emit();
    await eventually(async () => expect((await status(gone)).status).toBe('skipped'));
    const sent = receiver.requests.length;
    const next = await emit();
    await eventually(async () => expect((await status(next)).status).toBe('skipped'));
    expect((await status(next)).last_error).toMatch(/^endpoint disabled since .+: 410 Gone$/);
    expect(receiver.requests.length).toBe(sent);

    const listed = await server.call('GET', '/_mock/endpoints?state=disabled');
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain('s3cret');
    expect(listed.body.data).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/^[0-9a-f]{16}$/),
        url: `${receiver.url}?…`,
        state: 'disabled',
        consecutive_failures: 1,
        disabled_reason: '410 Gone',
        disabled_at: expect.any(String),
      }),
    ]);
    expect((await server.call('GET', '/_mock/endpoints?state=failing')).body).toEqual({ data: [] });
    const diagnostics = await server.call('GET', '/_mock/diagnostics');
    expect(diagnostics.body.data.dispatcher.endpoints).toMatchObject([{ state: 'disabled' }]);
    expect(diagnostics.text).not.toContain('s3cret');
  });

  it('refuses a bad state, a body without id or url, and an unknown endpoint', async () => {
    const bad = await server.call('GET', '/_mock/endpoints?state=sick');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual({ field: 'state' });
    expect((await server.call('POST', '/_mock/endpoints/enable', { body: {} })).status).toBe(400);
    const both = await server.call('POST', '/_mock/endpoints/enable', {
      body: { id: '0123456789abcdef', url: target },
    });
    expect(both.status).toBe(400);
    const unknown = await server.call('POST', '/_mock/endpoints/enable', {
      body: { id: '0123456789abcdef' },
    });
    expect(unknown.status).toBe(404);
    const unknownUrl = await server.call('POST', '/_mock/endpoints/enable', {
      body: { url: 'https://nowhere.example.test/?key=abc' },
    });
    expect(unknownUrl.status).toBe(404);
    expect(unknownUrl.text).not.toContain('key=abc');
  });

  it('enable with replay re-enables the target and replays what its disable skipped', async () => {
    const [endpoint] = (await server.call('GET', '/_mock/endpoints?state=disabled')).body.data;
    receiver.respondWith([], 200);
    const enabled = await server.call('POST', '/_mock/endpoints/enable', {
      body: { id: endpoint.id, replay: true, limit: 10 },
    });
    expect(enabled.status).toBe(200);
    expect(enabled.body.data).toMatchObject({
      endpoint: { id: endpoint.id, state: 'healthy', consecutive_failures: 0, disabled_at: null },
      replayed: 2,
    });
    // The replayed events are pending again; this process hands them to delivery at once.
    await eventually(async () => {
      const skipped = await server.call('GET', '/_mock/webhook-events?status=skipped');
      expect(skipped.body.data).toEqual([]);
      const delivered = await server.call('GET', '/_mock/webhook-events?status=delivered');
      expect(delivered.body.data).toHaveLength(2);
    });
    const again = await emit();
    await eventually(async () => expect((await status(again)).status).toBe('delivered'));
    const byUrl = await server.call('POST', '/_mock/endpoints/enable', { body: { url: target } });
    expect(byUrl.body.data).toMatchObject({ endpoint: { state: 'healthy' }, replayed: 0 });
  });
});
