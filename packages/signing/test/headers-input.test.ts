import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  createCampaignFlowScheme,
  createGitHubScheme,
  createStandardWebhooksScheme,
  MAX_HEADER_LENGTH,
  Webhook,
} from '../src/index.js';
import { atSpecTime, expectVerificationError, SPEC, specHeaders } from './helpers.js';

const wh = new Webhook(SPEC.secret, { now: atSpecTime });

describe('reading headers', () => {
  it('reads a Fetch Headers object', () => {
    expect(wh.verify(SPEC.payload, new Headers(specHeaders()))).toEqual({ test: 2432232314 });
  });

  it('reads header names in any case from a plain object', () => {
    const upper = Object.fromEntries(Object.entries(specHeaders()).map(([k, v]) => [k.toUpperCase(), v]));
    expect(wh.verify(SPEC.payload, upper)).toEqual({ test: 2432232314 });
    const mixed = {
      'Webhook-Id': SPEC.msgId,
      'WEBHOOK-timestamp': String(SPEC.seconds),
      'webhook-Signature': SPEC.signature,
    };
    expect(wh.verify(SPEC.payload, mixed)).toEqual({ test: 2432232314 });
  });

  it("reads Node's IncomingHttpHeaders, whose values may be string[]", () => {
    const headers: IncomingHttpHeaders = {
      'webhook-id': [SPEC.msgId],
      'webhook-timestamp': String(SPEC.seconds),
      'webhook-signature': ['v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=', SPEC.signature],
      'content-type': 'application/json',
      'set-cookie': ['a=1', 'b=2'],
    };
    expect(wh.verify(SPEC.payload, headers)).toEqual({ test: 2432232314 });
  });

  it('reads a repeated signature header that Node or Headers joined with ", "', () => {
    const joined = new Headers(specHeaders('v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc='));
    joined.append('webhook-signature', SPEC.signature);
    expect(joined.get('webhook-signature')).toContain(', ');
    expect(wh.verify(SPEC.payload, joined)).toEqual({ test: 2432232314 });
  });

  it('treats an empty header as missing', () => {
    expectVerificationError(
      () => wh.verify(SPEC.payload, { ...specHeaders(), 'webhook-id': '' }),
      'HOOKS_ERR_SIGNATURE_HEADERS',
    );
  });

  it(`refuses a header longer than ${MAX_HEADER_LENGTH} characters before hashing`, () => {
    const long = `${SPEC.signature} ${'v1,x'.repeat(MAX_HEADER_LENGTH / 4)}`;
    const error = expectVerificationError(
      () => wh.verify(SPEC.payload, specHeaders(long)),
      'HOOKS_ERR_SIGNATURE_HEADERS',
    );
    expect(error.message).toContain('webhook-signature');
    const atLimit = `${SPEC.signature} ${'v'.repeat(MAX_HEADER_LENGTH - SPEC.signature.length - 1)}`;
    expect(wh.verify(SPEC.payload, specHeaders(atLimit))).toEqual({ test: 2432232314 });
  });

  it('every scheme reads Headers, plain objects and arrays alike', () => {
    const at = new Date(SPEC.seconds * 1000);
    const schemes = [
      createStandardWebhooksScheme({ secret: SPEC.secret, now: atSpecTime }),
      createCampaignFlowScheme({ secret: 'cf_secret', now: atSpecTime }),
      createGitHubScheme({ secret: 'gh_secret' }),
    ];
    for (const scheme of schemes) {
      const signed = scheme.sign({ id: SPEC.msgId, timestamp: at, body: SPEC.payload });
      const upper = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toUpperCase(), v]));
      const arrays = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k, [v]]));
      for (const headers of [signed, upper, arrays, new Headers(signed)]) {
        expect(() => scheme.verify(SPEC.payload, headers), scheme.name).not.toThrow();
      }
    }
  });
});
