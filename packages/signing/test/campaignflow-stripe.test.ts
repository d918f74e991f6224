import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { CAMPAIGNFLOW_SIGNATURE_HEADER, createCampaignFlowScheme } from '../src/index.js';
import { expectVerificationError } from './helpers.js';

// Offline: constructEvent and generateTestHeaderString only hash; no request is made.
const stripe = new Stripe('sk_test_x');
const secret = 'whsec_test_campaignflow_secret';
const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'campaign.sent', data: { n: 1 } });

describe('CampaignFlow scheme (t=<ts>,v1=<hex>) interop with Stripe', () => {
  it('our header verifies with stripe.webhooks.constructEvent', () => {
    const scheme = createCampaignFlowScheme({ secret });
    const headers = scheme.sign({ id: 'evt_1', timestamp: new Date(), body: payload });
    const header = headers[CAMPAIGNFLOW_SIGNATURE_HEADER]!;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(stripe.webhooks.constructEvent(payload, header, secret)).toEqual(JSON.parse(payload));
    expect(stripe.webhooks.constructEvent(Buffer.from(payload), header, secret)).toEqual(JSON.parse(payload));
  });

  it("Stripe's generateTestHeaderString verifies with ours", () => {
    const scheme = createCampaignFlowScheme({ secret });
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
    const verified = scheme.verify(payload, { 'X-Webhook-Signature': header });
    expect(verified.id).toBeUndefined();
    expect(Math.abs(verified.timestamp!.getTime() - Date.now())).toBeLessThan(5_000);
    expect(() =>
      scheme.verify(Buffer.from(payload), { [CAMPAIGNFLOW_SIGNATURE_HEADER]: header }),
    ).not.toThrow();
  });

  it('produces the same header as Stripe for a fixed timestamp', () => {
    const seconds = 1_614_265_330;
    const ours = createCampaignFlowScheme({ secret }).sign({
      id: 'x',
      timestamp: new Date(seconds * 1000),
      body: payload,
    });
    const theirs = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: seconds });
    expect(ours[CAMPAIGNFLOW_SIGNATURE_HEADER]).toBe(theirs);
  });

  it('verifies a real Stripe header under stripe-signature with headerName', () => {
    const scheme = createCampaignFlowScheme({ secret, headerName: 'stripe-signature' });
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
    expect(() => scheme.verify(payload, new Headers({ 'Stripe-Signature': header }))).not.toThrow();
    const signed = scheme.sign({ id: 'x', timestamp: new Date(), body: payload });
    expect(Object.keys(signed)).toEqual(['stripe-signature']);
  });

  it('ignores other schemes (v0=) and accepts any matching v1= entry, like Stripe', () => {
    const scheme = createCampaignFlowScheme({ secret });
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
    const [t, v1] = header.split(',');
    const padded = `${t},v0=${'0'.repeat(64)},v1=${'a'.repeat(64)}, ${v1}`;
    expect(() => scheme.verify(payload, { [CAMPAIGNFLOW_SIGNATURE_HEADER]: padded })).not.toThrow();
    expect(() =>
      stripe.webhooks.constructEvent(payload, `${t},v0=${'0'.repeat(64)},v1=${'a'.repeat(64)},${v1}`, secret),
    ).not.toThrow();
  });

  it('refuses what Stripe refuses: wrong secret, tampered body, no v1 entry', () => {
    const scheme = createCampaignFlowScheme({ secret });
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_other' });
    expectVerificationError(
      () => scheme.verify(payload, { [CAMPAIGNFLOW_SIGNATURE_HEADER]: header }),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
    expect(() => stripe.webhooks.constructEvent(payload, header, secret)).toThrow();

    const good = stripe.webhooks.generateTestHeaderString({ payload, secret });
    expectVerificationError(
      () => scheme.verify(`${payload} `, { [CAMPAIGNFLOW_SIGNATURE_HEADER]: good }),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
    const noV1 = good.replace('v1=', 'v0=');
    expectVerificationError(
      () => scheme.verify(payload, { [CAMPAIGNFLOW_SIGNATURE_HEADER]: noV1 }),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
  });

  it('refuses a missing header, a missing or garbled t=, and two t= entries', () => {
    const scheme = createCampaignFlowScheme({ secret });
    const good = stripe.webhooks.generateTestHeaderString({ payload, secret });
    const v1 = good.split(',')[1]!;
    for (const header of [undefined, '', v1, `t=abc,${v1}`, `t=,${v1}`, `t=1,t=2,${v1}`, 'garbage', ',,,']) {
      expectVerificationError(
        () => scheme.verify(payload, header === undefined ? {} : { [CAMPAIGNFLOW_SIGNATURE_HEADER]: header }),
        'HOOKS_ERR_SIGNATURE_HEADERS',
      );
    }
  });

  it('an old Stripe header is expired for us as for Stripe', () => {
    const scheme = createCampaignFlowScheme({ secret });
    const old = Math.floor(Date.now() / 1000) - 301;
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: old });
    expectVerificationError(
      () => scheme.verify(payload, { [CAMPAIGNFLOW_SIGNATURE_HEADER]: header }),
      'HOOKS_ERR_SIGNATURE_EXPIRED',
    );
    expect(() => stripe.webhooks.constructEvent(payload, header, secret)).toThrow(/tolerance/);
  });
});
