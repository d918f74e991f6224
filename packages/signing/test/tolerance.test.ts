import { describe, expect, it } from 'vitest';
import {
  createCampaignFlowScheme,
  createStandardWebhooksScheme,
  DEFAULT_TOLERANCE_SECONDS,
  type SignatureScheme,
} from '../src/index.js';
import { expectVerificationError } from './helpers.js';

const SIGNED_AT = 1_700_000_000; // unix seconds
const body = '{"event":"tolerance"}';

function schemesAt(now: () => number | Date, toleranceSeconds?: number): SignatureScheme[] {
  return [
    createStandardWebhooksScheme({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', now, toleranceSeconds }),
    createCampaignFlowScheme({ secret: 'campaignflow-secret', now, toleranceSeconds }),
  ];
}

function signed(scheme: SignatureScheme): Record<string, string> {
  return scheme.sign({ id: 'msg_tolerance', timestamp: new Date(SIGNED_AT * 1000), body });
}

describe('timestamp tolerance (default 5 minutes, both directions)', () => {
  it('defaults to 300 seconds', () => {
    expect(DEFAULT_TOLERANCE_SECONDS).toBe(300);
  });

  it.each([
    ['exactly 300 s later', (SIGNED_AT + 300) * 1000],
    ['300.999 s later (whole seconds count)', (SIGNED_AT + 300) * 1000 + 999],
    ['exactly 300 s earlier', (SIGNED_AT - 300) * 1000],
    ['at the signing second', SIGNED_AT * 1000],
  ])('passes %s', (_label, nowMs) => {
    for (const scheme of schemesAt(() => nowMs)) {
      expect(scheme.verify(body, signed(scheme)).timestamp).toEqual(new Date(SIGNED_AT * 1000));
    }
  });

  it('fails one second past the limit in the past ("too old")', () => {
    for (const scheme of schemesAt(() => (SIGNED_AT + 301) * 1000)) {
      const error = expectVerificationError(
        () => scheme.verify(body, signed(scheme)),
        'HOOKS_ERR_SIGNATURE_EXPIRED',
      );
      expect(error.message).toBe('Message timestamp too old');
    }
  });

  it('fails one second past the limit in the future ("too new")', () => {
    for (const scheme of schemesAt(() => (SIGNED_AT - 301) * 1000)) {
      const error = expectVerificationError(
        () => scheme.verify(body, signed(scheme)),
        'HOOKS_ERR_SIGNATURE_EXPIRED',
      );
      expect(error.message).toBe('Message timestamp too new');
    }
  });

  it('accepts a clock that returns a Date', () => {
    for (const scheme of schemesAt(() => new Date((SIGNED_AT + 300) * 1000))) {
      expect(() => scheme.verify(body, signed(scheme))).not.toThrow();
    }
    for (const scheme of schemesAt(() => new Date((SIGNED_AT + 301) * 1000))) {
      expectVerificationError(() => scheme.verify(body, signed(scheme)), 'HOOKS_ERR_SIGNATURE_EXPIRED');
    }
  });

  it('honours a configured tolerance at its edges', () => {
    for (const scheme of schemesAt(() => (SIGNED_AT + 30) * 1000, 30)) {
      expect(() => scheme.verify(body, signed(scheme))).not.toThrow();
    }
    for (const scheme of schemesAt(() => (SIGNED_AT - 31) * 1000, 30)) {
      expectVerificationError(() => scheme.verify(body, signed(scheme)), 'HOOKS_ERR_SIGNATURE_EXPIRED');
    }
    for (const scheme of schemesAt(() => (SIGNED_AT + 1) * 1000, 0)) {
      expectVerificationError(() => scheme.verify(body, signed(scheme)), 'HOOKS_ERR_SIGNATURE_EXPIRED');
    }
    for (const scheme of schemesAt(() => (SIGNED_AT + 1e9) * 1000, Number.POSITIVE_INFINITY)) {
      expect(() => scheme.verify(body, signed(scheme))).not.toThrow();
    }
  });

  it('uses the real clock by default', () => {
    const [standard] = schemesAt(Date.now);
    const fresh = standard!.sign({ id: 'msg_now', timestamp: new Date(), body });
    expect(standard!.verify(body, fresh).id).toBe('msg_now');
    expectVerificationError(() => standard!.verify(body, signed(standard!)), 'HOOKS_ERR_SIGNATURE_EXPIRED');
  });

  it('a clock that returns garbage is an input error, not a crash', () => {
    for (const scheme of schemesAt(() => Number.NaN)) {
      const error = (() => {
        try {
          scheme.verify(body, signed(scheme));
        } catch (e) {
          return e as { code?: string; details?: { field?: string } };
        }
        return undefined;
      })();
      expect(error?.code).toBe('HOOKS_ERR_INVALID_INPUT');
      expect(error?.details?.field).toBe('now');
    }
  });
});
