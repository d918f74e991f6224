import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  APPLICATION_STATUSES,
  CAMPAIGN_STATUSES,
  type CampaignflowEventTuple,
  type CampaignStatusChangePayload,
  campaignflow,
  createCampaignflowCatalog,
  isApplicationStatus,
  isCampaignStatus,
  type JsonValue,
} from '../src/index.js';
import { caught } from './caught.js';

const T = '2024-05-01T12:00:00.000Z';
const catalog = createCampaignflowCatalog({ clock: () => T });

/** A campaign as a DB row: camelCase columns, a Date, and columns the payload must not carry. */
const campaignRow = {
  id: 42,
  name: 'Spring launch',
  status: 'active' as const,
  updatedAt: new Date('2024-05-01T11:59:00.000Z'),
  budgetCents: 500_000,
  ownerEmail: 'owner@example.com',
};
const applicationRow = {
  id: 'fa_7',
  campaignId: 42,
  applicantName: 'Ada Lovelace',
  status: 'approved' as const,
  insertedAt: new Date('2024-04-01T00:00:00.000Z'),
  ssn: 'never-sent',
};

describe('campaignflow statuses', () => {
  it('exports the campaign and application statuses', () => {
    expect(CAMPAIGN_STATUSES).toEqual(['draft', 'pending', 'active', 'paused', 'completed', 'cancelled']);
    expect(APPLICATION_STATUSES).toEqual([
      'draft',
      'submitted',
      'in_review',
      'approved',
      'declined',
      'withdrawn',
    ]);
    expect(isCampaignStatus('paused')).toBe(true);
    expect(isCampaignStatus('in_review')).toBe(false);
    expect(isApplicationStatus('in_review')).toBe(true);
    expect(isApplicationStatus('active')).toBe(false);
  });
});

describe('campaign_status_change', () => {
  it('builds the exact body, picking only the documented fields', () => {
    expect(catalog.campaignStatusChange(campaignRow, 'pending')).toEqual([
      'campaign_status_change',
      {
        type: 'campaign_status_change',
        timestamp: '2024-05-01T12:00:00.000Z',
        data: {
          campaign: {
            id: 42,
            name: 'Spring launch',
            status: 'active',
            previousStatus: 'pending',
            updatedAt: '2024-05-01T11:59:00.000Z',
          },
        },
      },
    ]);
  });

  it('accepts null as the previous status of a first status, and updatedAt as a string with an offset', () => {
    const [, payload] = catalog.campaignStatusChange(
      { id: 'cmp_1', name: 'Draft one', status: 'draft', updatedAt: '2024-05-01T13:59:00.000+02:00' },
      null,
    );
    expect(payload).toEqual({
      type: 'campaign_status_change',
      timestamp: T,
      data: {
        campaign: {
          id: 'cmp_1',
          name: 'Draft one',
          status: 'draft',
          previousStatus: null,
          updatedAt: '2024-05-01T11:59:00.000Z',
        },
      },
    });
  });

  it('is the same through builders and build by name, and takes a per-call timestamp', () => {
    const input = { campaign: campaignRow, previousStatus: 'paused' as const };
    const expected = catalog.campaignStatusChange(campaignRow, 'paused', {
      timestamp: '2030-01-01T00:00:00Z',
    });
    expect(expected[1].timestamp).toBe('2030-01-01T00:00:00.000Z');
    expect(catalog.builders.campaign_status_change(input, { timestamp: '2030-01-01T00:00:00Z' })).toEqual(
      expected,
    );
    expect(catalog.build('campaign_status_change', input, { timestamp: '2030-01-01T00:00:00Z' })).toEqual(
      expected,
    );
  });

  it('refuses a change that keeps the status, and a missing previous status', () => {
    expect(caught(() => catalog.campaignStatusChange(campaignRow, 'active')).message).toBe(
      'Invalid campaign_status_change input: previousStatus must differ from campaign.status ("active"): ' +
        'a status change must change the status',
    );
    expect(caught(() => catalog.campaignStatusChange(campaignRow, undefined as never)).message).toBe(
      'Invalid campaign_status_change input: previousStatus is required',
    );
  });

  it('names bad campaign fields', () => {
    const error = caught(() =>
      catalog.campaignStatusChange(
        { id: '', name: 3, status: 'active', updatedAt: 'soon' } as never,
        'draft',
      ),
    );
    expect(error.details.issues.map((issue) => issue.field)).toEqual([
      'campaign.id',
      'campaign.name',
      'campaign.updatedAt',
    ]);
  });
});

/** The body's financeApplication for `applicationRow` moving from in_review to approved. */
const approvedApplicationBody = {
  id: 'fa_7',
  campaignId: 42,
  applicantName: 'Ada Lovelace',
  status: 'approved',
  previousStatus: 'in_review',
};

describe('finance_application_status_change', () => {
  it('builds the exact body with the campaign snapshot (campaign unchanged: previousStatus = status)', () => {
    expect(
      catalog.financeApplicationStatusChange(campaignRow, applicationRow, 'in_review', 'active'),
    ).toEqual([
      'finance_application_status_change',
      {
        type: 'finance_application_status_change',
        timestamp: T,
        data: {
          financeApplication: approvedApplicationBody,
          campaign: { id: 42, name: 'Spring launch', status: 'active', previousStatus: 'active' },
        },
      },
    ]);
  });

  it('takes null for a first application status and for a campaign that changed', () => {
    const [, payload] = catalog.financeApplicationStatusChange(
      { id: 42, name: 'Spring launch', status: 'active' },
      { ...applicationRow, status: 'submitted' },
      null,
      null,
    );
    expect(payload.data).toEqual({
      financeApplication: {
        id: 'fa_7',
        campaignId: 42,
        applicantName: 'Ada Lovelace',
        status: 'submitted',
        previousStatus: null,
      },
      campaign: { id: 42, name: 'Spring launch', status: 'active', previousStatus: null },
    });
  });

  it('refuses a campaign previous status that is neither null nor the current status', () => {
    const error = caught(() =>
      catalog.financeApplicationStatusChange(campaignRow, applicationRow, 'in_review', 'paused'),
    );
    expect(error.details.field).toBe('campaignPreviousStatus');
    expect(error.message).toBe(
      'Invalid finance_application_status_change input: campaignPreviousStatus must be campaign.status ("active") ' +
        'when the finance change left the campaign as it was, or null when it changed the campaign ' +
        '(that change is reported by its own campaign_status_change)',
    );
  });

  it('refuses an application of another campaign (ids compare as strings)', () => {
    expect(
      catalog.financeApplicationStatusChange(
        campaignRow,
        { ...applicationRow, campaignId: '42' },
        null,
        null,
      )[1].data.financeApplication.campaignId,
    ).toBe('42');
    const error = caught(() =>
      catalog.financeApplicationStatusChange(campaignRow, { ...applicationRow, campaignId: 43 }, null, null),
    );
    expect(error.details.field).toBe('application.campaignId');
    expect(error.message).toContain('application.campaignId must equal campaign.id');
  });
});

describe('financeApplicationEvents (the campaign.previousStatus rule)', () => {
  it('campaign unchanged: one finance event whose campaign.previousStatus equals campaign.status', () => {
    const events = catalog.financeApplicationEvents({
      campaignBefore: campaignRow,
      campaignAfter: campaignRow,
      application: applicationRow,
      previousApplicationStatus: 'in_review',
    });
    expect(events).toEqual([
      [
        'finance_application_status_change',
        {
          type: 'finance_application_status_change',
          timestamp: T,
          data: {
            financeApplication: approvedApplicationBody,
            campaign: { id: 42, name: 'Spring launch', status: 'active', previousStatus: 'active' },
          },
        },
      ],
    ]);
  });

  it('campaign changed: the finance event with campaign.previousStatus null, then the campaign_status_change', () => {
    let ticks = 0;
    const ticking = createCampaignflowCatalog({
      clock: () => new Date(Date.UTC(2024, 4, 1, 12, 0, ticks++)),
    });
    const events = ticking.financeApplicationEvents({
      campaignBefore: { id: 42, status: 'pending' },
      campaignAfter: campaignRow,
      application: applicationRow,
      previousApplicationStatus: 'in_review',
    });
    expect(events).toEqual([
      [
        'finance_application_status_change',
        {
          type: 'finance_application_status_change',
          timestamp: T,
          data: {
            financeApplication: approvedApplicationBody,
            campaign: { id: 42, name: 'Spring launch', status: 'active', previousStatus: null },
          },
        },
      ],
      [
        'campaign_status_change',
        {
          type: 'campaign_status_change',
          timestamp: T,
          data: {
            campaign: {
              id: 42,
              name: 'Spring launch',
              status: 'active',
              previousStatus: 'pending',
              updatedAt: '2024-05-01T11:59:00.000Z',
            },
          },
        },
      ],
    ]);
    expect(ticks).toBe(1);
  });

  it('refuses before/after of different campaigns and an application of another campaign', () => {
    const error = caught(() =>
      catalog.financeApplicationEvents({
        campaignBefore: { id: 41, status: 'pending' },
        campaignAfter: campaignRow,
        application: { ...applicationRow, campaignId: 41 },
        previousApplicationStatus: 'approved',
      }),
    );
    expect(error.message).toBe(
      'Invalid financeApplicationEvents input: campaignAfter.id must equal campaignBefore.id ' +
        '(before and after must be the same campaign); application.campaignId must equal campaignAfter.id ' +
        "(the campaign snapshot must be the application's campaign); previousApplicationStatus must differ " +
        'from application.status ("approved"): a status change must change the status',
    );
  });

  it('names missing helper fields', () => {
    const error = caught(() => catalog.financeApplicationEvents({ campaignAfter: campaignRow } as never));
    expect(error.details.issues.map((issue) => `${issue.field} ${issue.message}`)).toEqual([
      'campaignBefore is required',
      'application is required',
      'previousApplicationStatus is required',
    ]);
  });

  it('returns tuples that spread into enqueue, with payloads narrowed by their type', () => {
    expectTypeOf(catalog.financeApplicationEvents).returns.toEqualTypeOf<CampaignflowEventTuple[]>();
    const events = catalog.financeApplicationEvents({
      campaignBefore: { id: 42, status: 'pending' },
      campaignAfter: campaignRow,
      application: applicationRow,
      previousApplicationStatus: null,
    });
    const enqueued: unknown[] = [];
    const enqueue = (eventType: string, payload: JsonValue, options?: { delayMs?: number }) =>
      enqueued.push([eventType, payload, options]);
    for (const event of events) enqueue(...event);
    expect(enqueued).toEqual(events.map((event) => [...event, undefined]));
    const [, payload] = events[1] ?? [];
    if (payload?.type === 'campaign_status_change') {
      expectTypeOf(payload).toEqualTypeOf<CampaignStatusChangePayload>();
      expect(payload.data.campaign.updatedAt).toBe('2024-05-01T11:59:00.000Z');
    } else throw new Error('expected a campaign_status_change second');
  });
});

describe('the campaignflow catalog', () => {
  it('lists its event types and refuses unknown ones, listing the supported ones', () => {
    expect(campaignflow.eventTypes).toEqual(['campaign_status_change', 'finance_application_status_change']);
    const error = caught(() => campaignflow.build('campaign_created' as never, {} as never));
    expect(error.message).toBe(
      'Unknown event type "campaign_created": supported event types are campaign_status_change, ' +
        'finance_application_status_change',
    );
  });

  it('stamps the current time by default', () => {
    const before = Date.now();
    const [, payload] = campaignflow.campaignStatusChange(campaignRow, 'paused');
    expect(Date.parse(payload.timestamp)).toBeGreaterThanOrEqual(before);
    expect(payload.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
