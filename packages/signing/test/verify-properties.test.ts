import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createCampaignFlowScheme,
  createGitHubScheme,
  createStandardWebhooksScheme,
  generateEd25519KeyPair,
  type SignatureScheme,
  WebhookVerificationError,
} from '../src/index.js';

const NOW_SECONDS = 1_700_000_000;
const now = () => NOW_SECONDS * 1000;
const { secretKey } = generateEd25519KeyPair();
const schemes: SignatureScheme[] = [
  createStandardWebhooksScheme({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', now }),
  createStandardWebhooksScheme({ secret: secretKey, now }),
  createCampaignFlowScheme({ secret: 'campaignflow-secret', now }),
  createGitHubScheme({ secret: 'github-secret' }),
];
const RUNS = { numRuns: 300 };

/** Throws if `fn` returns, or throws anything but a WebhookVerificationError. */
function expectRefused(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'verify must not accept').toBeInstanceOf(WebhookVerificationError);
}

const base64 = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('base64'));
const hex = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const seconds = fc.integer({ min: NOW_SECONDS - 400, max: NOW_SECONDS + 400 });
// Plausible values get past the cheap checks and reach the signature comparison.
const plausibleValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  seconds.map(String),
  base64(32).map((s) => `v1,${s}`),
  base64(64).map((s) => `v1a,${s}`),
  fc
    .array(
      base64(32).map((s) => `v1,${s}`),
      { maxLength: 5 },
    )
    .map((list) => list.join(' ')),
  fc
    .tuple(seconds, fc.array(hex, { maxLength: 3 }))
    .map(([t, sigs]) => [`t=${t}`, ...sigs.map((s) => `v1=${s}`)].join(',')),
  hex.map((s) => `sha256=${s}`),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.anything(),
);
const headerName = fc.constantFrom(
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'Webhook-Signature',
  'x-webhook-signature',
  'x-hub-signature-256',
  'content-type',
);
const headers = fc.oneof(
  fc.dictionary(headerName, plausibleValue, { maxKeys: 6 }),
  fc.dictionary(headerName, plausibleValue, { maxKeys: 6 }).map((record) => {
    const h = new Headers();
    for (const [k, v] of Object.entries(record))
      if (typeof v === 'string') h.append(k, v.replace(/[^\x20-\x7e]/g, ''));
    return h;
  }),
  fc.anything(),
);
const body = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.uint8Array(), fc.anything());
const realBody = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.uint8Array().map((b) => Buffer.from(b)),
);
const msgId = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);

describe('property: verify never crashes and never verifies falsely', () => {
  it('random headers and bodies are refused with our error only', () => {
    fc.assert(
      fc.property(fc.constantFrom(...schemes), body, headers, (scheme, b, h) => {
        expectRefused(() => scheme.verify(b as string, h as Headers));
      }),
      { numRuns: 1000 },
    );
  });

  it('a random signature never verifies a real body', () => {
    fc.assert(
      fc.property(fc.constantFrom(...schemes), realBody, msgId, plausibleValue, (scheme, b, id, value) => {
        const signed = scheme.sign({ id, timestamp: new Date(now()), body: b });
        const name = Object.keys(signed).at(-1)!;
        fc.pre(value !== signed[name]);
        expectRefused(() => scheme.verify(b, { ...signed, [name]: value as string }));
      }),
      RUNS,
    );
  });

  it('a signature over body A never verifies body B', () => {
    fc.assert(
      fc.property(fc.constantFrom(...schemes), realBody, realBody, msgId, (scheme, a, b, id) => {
        fc.pre(!Buffer.from(a).equals(Buffer.from(b)));
        const signed = scheme.sign({ id, timestamp: new Date(now()), body: a });
        expectRefused(() => scheme.verify(b, signed));
      }),
      RUNS,
    );
  });

  it('changing any one character of a valid signature header breaks it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...schemes),
        realBody,
        msgId,
        fc.nat(),
        fc.integer({ min: 0x21, max: 0x7e }),
        (scheme, b, id, at, code) => {
          const signed = scheme.sign({ id, timestamp: new Date(now()), body: b });
          const name = Object.keys(signed).at(-1)!;
          const value = signed[name]!;
          const index = at % value.length;
          fc.pre(value.charCodeAt(index) !== code);
          const changed = value.slice(0, index) + String.fromCharCode(code) + value.slice(index + 1);
          expectRefused(() => scheme.verify(b, { ...signed, [name]: changed }));
        },
      ),
      RUNS,
    );
  });

  it('what a scheme signs, it verifies (strings and bytes alike)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...schemes), realBody, msgId, (scheme, b, id) => {
        const signed = scheme.sign({ id, timestamp: new Date(now()), body: b });
        const verified = scheme.verify(typeof b === 'string' ? Buffer.from(b) : b, signed);
        if (scheme.name === 'standard-webhooks') expect(verified.id).toBe(id);
      }),
      RUNS,
    );
  });
});
