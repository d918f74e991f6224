import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, type RunningServer, startServer } from './support/mock-harness.js';

// A store that refuses payloads over 300 bytes: a status change of a campaign with a long name then writes
// the domain row, fails to insert its event (validation), and must roll the domain change back.
const TINY_PAYLOADS = { store: { maxPayloadBytes: 300 } };

describeEachDatabase('domain changes and their events commit together', (database) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(database, {}, TINY_PAYLOADS);
  });
  afterAll(() => server.close());

  const eventCount = async () =>
    (await server.call('GET', '/_mock/webhook-events?limit=1000')).body.data.length as number;

  it('keeps nothing when the event insert fails after the campaign was updated', async () => {
    const long = (await server.api('POST', '/api/v2/campaigns', { name: 'L'.repeat(200) })).body.data;
    const before = await eventCount();
    const response = await server.api('POST', `/api/v2/campaigns/${long.id}/set-status`, {
      status: 'active',
    });
    expect(response.status).toBe(500);
    expect(response.body.error.code).toBe('event_not_recorded');
    expect(response.body.error.message).toMatch(
      /^the change was rolled back: its webhook event could not be recorded \(events\[0\]\.payload is \d+ bytes, over the 300-byte limit\)$/,
    );
    expect((await server.api('GET', `/api/v2/campaigns/${long.id}`)).body.data).toEqual(long);
    expect(await eventCount()).toBe(before);
  });

  it('keeps both when the event fits (control)', async () => {
    const short = (await server.api('POST', '/api/v2/campaigns', { name: 'S' })).body.data;
    const before = await eventCount();
    expect(
      (await server.api('POST', `/api/v2/campaigns/${short.id}/set-status`, { status: 'active' })).status,
    ).toBe(200);
    expect((await server.api('GET', `/api/v2/campaigns/${short.id}`)).body.data.status).toBe('active');
    expect(await eventCount()).toBe(before + 1);
  });

  it('rolls back a cascade (application and campaign) when one of its two events cannot be recorded', async () => {
    const long = (await server.api('POST', '/api/v2/campaigns', { name: 'C'.repeat(60) })).body.data;
    expect(
      (await server.api('POST', `/api/v2/campaigns/${long.id}/set-status`, { status: 'pending' })).status,
    ).toBe(200);
    const application = (
      await server.api('POST', '/api/v2/finance-applications', {
        campaign_id: long.id,
        applicant_name: 'A'.repeat(100),
      })
    ).body.data;
    const before = await eventCount();
    const response = await server.api('POST', `/api/v2/finance-applications/${application.id}/set-status`, {
      status: 'approved',
    });
    expect(response.status).toBe(500);
    expect((await server.api('GET', `/api/v2/finance-applications/${application.id}`)).body.data).toEqual(
      application,
    );
    expect((await server.api('GET', `/api/v2/campaigns/${long.id}`)).body.data.status).toBe('pending');
    expect(await eventCount()).toBe(before);
  });
});
