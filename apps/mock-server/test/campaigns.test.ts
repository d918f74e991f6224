import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, type RunningServer, startServer } from './support/mock-harness.js';

describeEachDatabase('campaigns', (database) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(database);
  });
  afterAll(() => server.close());

  const events = async (type = 'campaign_status_change') =>
    (await server.call('GET', `/_mock/webhook-events?type=${type}&limit=1000`)).body.data as { id: string }[];

  it('creates a campaign in draft (201) and reads it back', async () => {
    const created = await server.api('POST', '/api/v2/campaigns', {
      name: 'Spring sale',
      description: 'Tulips',
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ name: 'Spring sale', description: 'Tulips', status: 'draft' });
    expect(created.body.data.id).toEqual(expect.any(Number));
    expect(Date.parse(created.body.data.created_at)).not.toBeNaN();
    const read = await server.api('GET', `/api/v2/campaigns/${created.body.data.id}`);
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual(created.body.data);
  });

  it('refuses a campaign without a name, with a wrong type, unknown fields or malformed JSON (400)', async () => {
    for (const body of [{}, { name: '' }, { name: 42 }, { name: 'x', colour: 'red' }, [], 'x']) {
      const response = await server.api('POST', '/api/v2/campaigns', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('bad_request');
    }
    const malformed = await server.call('POST', '/api/v2/campaigns', {
      body: '{"name": ',
      headers: {
        'content-type': 'application/json',
        authorization: (await tokenHeader(server)).authorization,
      },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('bad_request');
  });

  it('answers 404 for unknown ids', async () => {
    for (const id of ['999999', 'abc', '0', '99999999999999999999']) {
      const response = await server.api('GET', `/api/v2/campaigns/${id}`);
      expect(response.status, id).toBe(404);
      expect(response.body.error.code).toBe('not_found');
    }
    const status = await server.api('POST', '/api/v2/campaigns/999999/set-status', { status: 'active' });
    expect(status.status).toBe(404);
  });

  it('lists campaigns page by page with pagination metadata', async () => {
    for (const name of ['p1', 'p2', 'p3']) await server.api('POST', '/api/v2/campaigns', { name });
    const all = await server.api('GET', '/api/v2/campaigns?per_page=100');
    const total = all.body.meta.total as number;
    expect(total).toBeGreaterThanOrEqual(3);
    const page2 = await server.api('GET', '/api/v2/campaigns?page=2&per_page=2');
    expect(page2.status).toBe(200);
    expect(page2.body.meta).toEqual({ page: 2, per_page: 2, total, total_pages: Math.ceil(total / 2) });
    expect(page2.body.data.map((c: { id: number }) => c.id)).toEqual(
      all.body.data.slice(2, 4).map((c: { id: number }) => c.id),
    );
    const defaults = await server.api('GET', '/api/v2/campaigns');
    expect(defaults.body.meta).toMatchObject({ page: 1, per_page: 25 });
    for (const query of ['page=0', 'per_page=101', 'page=x', 'per_page=-1', 'page=1&page=2']) {
      const bad = await server.api('GET', `/api/v2/campaigns?${query}`);
      expect(bad.status, query).toBe(400);
    }
  });

  it('sets the status: a real change emits campaign_status_change, the same status emits nothing', async () => {
    const { body } = await server.api('POST', '/api/v2/campaigns', { name: 'Status' });
    const id = body.data.id as number;
    const changed = await server.api('POST', `/api/v2/campaigns/${id}/set-status`, { status: 'pending' });
    expect(changed.status).toBe(200);
    expect(changed.body.data.status).toBe('pending');
    expect(changed.body.meta.changed).toBe(true);
    const [eventId] = changed.body.meta.events as string[];
    const event = await server.call('GET', `/_mock/webhook-events/${eventId}`);
    expect(event.body.data.type).toBe('campaign_status_change');
    expect(event.body.data.payload).toEqual({
      type: 'campaign_status_change',
      timestamp: expect.any(String),
      data: {
        campaign: {
          id,
          name: 'Status',
          status: 'pending',
          previousStatus: 'draft',
          updatedAt: changed.body.data.updated_at,
        },
      },
    });
    const before = (await events()).length;
    const same = await server.api('POST', `/api/v2/campaigns/${id}/set-status`, { status: 'pending' });
    expect(same.status).toBe(200);
    expect(same.body.meta).toEqual({ changed: false, events: [] });
    expect((await events()).length).toBe(before);
  });

  it('answers 422 for a status outside the enum and 400 for a wrong type', async () => {
    const { body } = await server.api('POST', '/api/v2/campaigns', { name: 'Enum' });
    const bad = await server.api('POST', `/api/v2/campaigns/${body.data.id}/set-status`, {
      status: 'archived',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'invalid_status', details: { field: 'status' } });
    expect(bad.body.error.message).toBe(
      'status must be one of draft, pending, active, paused, completed, cancelled',
    );
    for (const payload of [{ status: 3 }, {}, { status: 'active', extra: 1 }]) {
      expect((await server.api('POST', `/api/v2/campaigns/${body.data.id}/set-status`, payload)).status).toBe(
        400,
      );
    }
    expect((await server.api('GET', `/api/v2/campaigns/${body.data.id}`)).body.data.status).toBe('draft');
  });
});

async function tokenHeader(server: RunningServer): Promise<{ authorization: string }> {
  const issued = await server.call('POST', '/oauth2/v1/token', {
    body: { grant_type: 'client_credentials' },
    headers: { authorization: `Basic ${Buffer.from('c:s').toString('base64')}` },
  });
  return { authorization: `Bearer ${issued.body.access_token}` };
}
