import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, type RunningServer, startServer } from './support/mock-harness.js';

describeEachDatabase('finance applications', (database) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(database);
  });
  afterAll(() => server.close());

  async function campaign(status?: string): Promise<{ id: number; name: string; status: string }> {
    const created = await server.api('POST', '/api/v2/campaigns', { name: `Campaign ${Math.random()}` });
    if (status !== undefined)
      await server.api('POST', `/api/v2/campaigns/${created.body.data.id}/set-status`, { status });
    return (await server.api('GET', `/api/v2/campaigns/${created.body.data.id}`)).body.data;
  }

  async function application(campaignId: number, name = 'Ada Lovelace'): Promise<{ id: number }> {
    return (
      await server.api('POST', '/api/v2/finance-applications', {
        campaign_id: campaignId,
        applicant_name: name,
      })
    ).body.data;
  }

  async function event(id: string) {
    return (await server.call('GET', `/_mock/webhook-events/${id}`)).body.data;
  }

  it('creates an application in draft (201), reads, lists and patches it', async () => {
    const c = await campaign();
    const created = await server.api('POST', '/api/v2/finance-applications', {
      campaign_id: c.id,
      applicant_name: 'Grace Hopper',
      applicant_email: 'grace@example.test',
      requested_amount: 2500.5,
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      campaign_id: c.id,
      applicant_name: 'Grace Hopper',
      applicant_email: 'grace@example.test',
      requested_amount: 2500.5,
      status: 'draft',
      submitted_at: null,
    });
    const id = created.body.data.id as number;
    expect((await server.api('GET', `/api/v2/finance-applications/${id}`)).body.data).toEqual(
      created.body.data,
    );
    const patched = await server.api('PATCH', `/api/v2/finance-applications/${id}`, {
      applicant_name: 'Grace B. Hopper',
      applicant_email: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({
      applicant_name: 'Grace B. Hopper',
      applicant_email: null,
      requested_amount: 2500.5,
    });
    const list = await server.api('GET', '/api/v2/finance-applications?per_page=100');
    expect(list.status).toBe(200);
    expect(list.body.data.some((a: { id: number }) => a.id === id)).toBe(true);
    expect(list.body.meta).toMatchObject({ page: 1, per_page: 100 });
  });

  it('answers 422 campaign_not_found for a campaign that does not exist, 400 for bad bodies', async () => {
    const missing = await server.api('POST', '/api/v2/finance-applications', {
      campaign_id: 987654,
      applicant_name: 'X',
    });
    expect(missing.status).toBe(422);
    expect(missing.body.error).toEqual({
      code: 'campaign_not_found',
      message: 'campaign 987654 does not exist',
      details: { field: 'campaign_id' },
    });
    for (const body of [
      { applicant_name: 'X' },
      { campaign_id: 1 },
      { campaign_id: '1', applicant_name: 'X' },
      { campaign_id: 1.5, applicant_name: 'X' },
    ]) {
      expect(
        (await server.api('POST', '/api/v2/finance-applications', body)).status,
        JSON.stringify(body),
      ).toBe(400);
    }
  });

  it('refuses to PATCH the status (422) and answers 404 for unknown ids', async () => {
    const a = await application((await campaign()).id);
    const status = await server.api('PATCH', `/api/v2/finance-applications/${a.id}`, { status: 'approved' });
    expect(status.status).toBe(422);
    expect(status.body.error.code).toBe('status_not_editable');
    expect((await server.api('GET', `/api/v2/finance-applications/${a.id}`)).body.data.status).toBe('draft');
    for (const [method, path, body] of [
      ['GET', '/api/v2/finance-applications/424242', undefined],
      ['PATCH', '/api/v2/finance-applications/424242', { applicant_name: 'Y' }],
      ['POST', '/api/v2/finance-applications/424242/submit', undefined],
      ['POST', '/api/v2/finance-applications/424242/set-status', { status: 'approved' }],
    ] as const) {
      expect((await server.api(method, path, body)).status, `${method} ${path}`).toBe(404);
    }
  });

  it('submits a draft (event with the campaign snapshot), idempotently, and refuses other states (409)', async () => {
    const c = await campaign('active');
    const a = await application(c.id, 'Submitter');
    const submitted = await server.api('POST', `/api/v2/finance-applications/${a.id}/submit`);
    expect(submitted.status).toBe(200);
    expect(submitted.body.data.status).toBe('submitted');
    expect(submitted.body.data.submitted_at).toEqual(expect.any(String));
    const [eventId, ...more] = submitted.body.meta.events as string[];
    expect(more).toEqual([]);
    const body = (await event(eventId!)).payload;
    expect(body).toEqual({
      type: 'finance_application_status_change',
      timestamp: expect.any(String),
      data: {
        financeApplication: {
          id: a.id,
          campaignId: c.id,
          applicantName: 'Submitter',
          status: 'submitted',
          previousStatus: 'draft',
        },
        campaign: { id: c.id, name: c.name, status: 'active', previousStatus: 'active' },
      },
    });
    const again = await server.api('POST', `/api/v2/finance-applications/${a.id}/submit`);
    expect(again.body.meta).toMatchObject({ changed: false, events: [] });
    await server.api('POST', `/api/v2/finance-applications/${a.id}/set-status`, { status: 'approved' });
    const late = await server.api('POST', `/api/v2/finance-applications/${a.id}/submit`);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('invalid_state');
  });

  it('answers 422 for a status outside the enum', async () => {
    const a = await application((await campaign()).id);
    const bad = await server.api('POST', `/api/v2/finance-applications/${a.id}/set-status`, {
      status: 'rejected',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toBe(
      'status must be one of draft, submitted, in_review, approved, declined, withdrawn',
    );
  });

  it('cascades approved on a pending campaign to active: finance event (campaign.previousStatus null), then the campaign event', async () => {
    const c = await campaign('pending');
    const a = await application(c.id, 'Approved Applicant');
    await server.api('POST', `/api/v2/finance-applications/${a.id}/set-status`, { status: 'in_review' });
    const approved = await server.api('POST', `/api/v2/finance-applications/${a.id}/set-status`, {
      status: 'approved',
    });
    expect(approved.status).toBe(200);
    expect(approved.body.meta.campaign.status).toBe('active');
    expect((await server.api('GET', `/api/v2/campaigns/${c.id}`)).body.data.status).toBe('active');
    const [financeId, campaignId] = approved.body.meta.events as string[];
    expect(financeId! < campaignId!).toBe(true);
    const finance = await event(financeId!);
    const cascade = await event(campaignId!);
    expect(finance.type).toBe('finance_application_status_change');
    expect(finance.payload.data).toEqual({
      financeApplication: {
        id: a.id,
        campaignId: c.id,
        applicantName: 'Approved Applicant',
        status: 'approved',
        previousStatus: 'in_review',
      },
      campaign: { id: c.id, name: c.name, status: 'active', previousStatus: null },
    });
    expect(cascade.type).toBe('campaign_status_change');
    expect(cascade.payload.data.campaign).toMatchObject({
      id: c.id,
      status: 'active',
      previousStatus: 'pending',
    });
    expect(cascade.payload.timestamp).toBe(finance.payload.timestamp);
    const list = (
      await server.call(
        'GET',
        '/_mock/webhook-events?limit=5&type=finance_application_status_change,campaign_status_change',
      )
    ).body.data;
    expect(list.slice(0, 2).map((e: { id: string }) => e.id)).toEqual([campaignId, financeId]);
  });

  it('cascades declined on a pending campaign back to draft', async () => {
    const c = await campaign('pending');
    const a = await application(c.id, 'Declined Applicant');
    const declined = await server.api('POST', `/api/v2/finance-applications/${a.id}/set-status`, {
      status: 'declined',
    });
    const [financeId, campaignId] = declined.body.meta.events as string[];
    expect(declined.body.meta.events).toHaveLength(2);
    expect((await event(financeId!)).payload.data.campaign).toEqual({
      id: c.id,
      name: c.name,
      status: 'draft',
      previousStatus: null,
    });
    expect((await event(campaignId!)).payload.data.campaign).toMatchObject({
      status: 'draft',
      previousStatus: 'pending',
    });
    expect((await server.api('GET', `/api/v2/campaigns/${c.id}`)).body.data.status).toBe('draft');
  });

  it('does not cascade when the campaign is not pending (one event, previousStatus mirrors the status)', async () => {
    const c = await campaign('paused');
    const a = await application(c.id);
    const approved = await server.api('POST', `/api/v2/finance-applications/${a.id}/set-status`, {
      status: 'approved',
    });
    expect(approved.body.meta.events).toHaveLength(1);
    expect((await event(approved.body.meta.events[0])).payload.data.campaign).toMatchObject({
      status: 'paused',
      previousStatus: 'paused',
    });
    expect((await server.api('GET', `/api/v2/campaigns/${c.id}`)).body.data.status).toBe('paused');
  });
});
