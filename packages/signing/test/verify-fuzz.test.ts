import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createCampaignFlowScheme,
  createGitHubScheme,
  createStandardWebhooksScheme,
  generateEd25519KeyPair,
  generateSecret,
  type SignatureScheme,
  SigningError,
  SigningInputError,
  SigningSecretError,
  Webhook,
  WebhookVerificationError,
} from '../src/index.js';

// What verify-properties.test.ts leaves out: the Webhook class, arbitrary secrets, byte-level mutations of
// bodies and signatures, non-canonical encodings, header lookups returning odd values, and rotation.

const NOW_SECONDS = 1_700_000_000;
const now = () => NOW_SECONDS * 1000;
const at = new Date(now());
const pair = generateEd25519KeyPair();
const HMAC_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** Every scheme under test, by a name that says which. */
const SCHEMES: Record<string, SignatureScheme> = {
  'standard-webhooks v1': createStandardWebhooksScheme({ secret: HMAC_SECRET, now }),
  'standard-webhooks v1a': createStandardWebhooksScheme({ secret: pair.secretKey, now }),
  'standard-webhooks v1+v1a': createStandardWebhooksScheme({ secrets: [HMAC_SECRET, pair.secretKey], now }),
  campaignflow: createCampaignFlowScheme({ secret: 'campaignflow-secret', now }),
  'campaignflow (stripe-signature)': createCampaignFlowScheme({
    secret: 'whsec_stripe-style',
    headerName: 'stripe-signature',
    now,
  }),
  github: createGitHubScheme({ secret: 'github-secret' }),
};
const schemeName = fc.constantFrom(...Object.keys(SCHEMES));
const RUNS = { numRuns: 300 };
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Runs `fn`; fails unless it throws exactly a WebhookVerificationError (never returns, never TypeError). */
function expectRefused(fn: () => unknown, what = 'verify'): void {
  let thrown: unknown;
  let returned = false;
  try {
    fn();
    returned = true;
  } catch (error) {
    thrown = error;
  }
  expect(returned, `${what} accepted`).toBe(false);
  expect(thrown, `${what} threw ${String(thrown)}`).toBeInstanceOf(WebhookVerificationError);
}

/** The name of the header that carries the signature (the last one a scheme returns). */
function signatureHeader(headers: Record<string, string>): string {
  return Object.keys(headers).at(-1)!;
}

const realBody = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.jsonValue().map((value) => JSON.stringify(value) ?? 'null'),
);
const msgId = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
const oddValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.integer(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
  fc.object(),
);

describe('fuzz: verify refuses garbage with WebhookVerificationError only', () => {
  it('the Webhook class (standardwebhooks drop-in), with and without jsonParse', () => {
    const webhook = new Webhook(HMAC_SECRET, { now });
    const headers = fc.oneof(
      fc.dictionary(fc.constantFrom('webhook-id', 'webhook-timestamp', 'webhook-signature'), oddValue),
      fc.anything(),
    );
    fc.assert(
      fc.property(fc.anything(), headers, fc.boolean(), (body, h, jsonParse) => {
        expectRefused(() => webhook.verify(body as string, h as Headers, { jsonParse }));
      }),
      { numRuns: 1000 },
    );
  });

  it('header lookups (Headers-like objects) that return anything', () => {
    const lookup = fc.func(oddValue).map((get) => ({ get }));
    fc.assert(
      fc.property(schemeName, realBody, lookup, (name, body, headers) => {
        expectRefused(() => SCHEMES[name]!.verify(body, headers as never));
      }),
      RUNS,
    );
  });

  it('a valid header value wrapped in odd containers never throws anything else', () => {
    fc.assert(
      fc.property(schemeName, realBody, msgId, oddValue, (name, body, id, extra) => {
        const scheme = SCHEMES[name]!;
        const signed = scheme.sign({ id, timestamp: at, body });
        const header = signatureHeader(signed);
        const value = signed[header]!;
        for (const odd of [[value, extra], [extra, value], { value }, [value, value, 7]]) {
          try {
            scheme.verify(body, { ...signed, [header]: odd } as never);
          } catch (error) {
            expect(error).toBeInstanceOf(WebhookVerificationError);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});

/** A scheme, a body and an id to sign, and which bit of which byte to flip. */
const flipCase = fc.record({
  name: schemeName,
  b: realBody,
  id: msgId,
  i: fc.nat(),
  bit: fc.integer({ min: 0, max: 7 }),
});

describe('fuzz: mutated bytes never verify', () => {
  it('flipping any bit of the body breaks every scheme', () => {
    fc.assert(
      fc.property(flipCase, ({ name, b, id, i, bit }) => {
        const scheme = SCHEMES[name]!;
        const signed = scheme.sign({ id, timestamp: at, body: b });
        const bytes = Buffer.from(b);
        fc.pre(bytes.length > 0);
        const mutated = Buffer.from(bytes);
        mutated[i % mutated.length]! ^= 1 << bit;
        expectRefused(() => scheme.verify(mutated, signed));
      }),
      RUNS,
    );
  });

  it('flipping any bit of the signature bytes (re-encoded canonically) breaks every scheme', () => {
    fc.assert(
      fc.property(flipCase, ({ name, b, id, i, bit }) => {
        const scheme = SCHEMES[name]!;
        const signed = scheme.sign({ id, timestamp: at, body: b });
        const header = signatureHeader(signed);
        const mutated = signed[header]!.replace(
          /(v1a?,)([A-Za-z0-9+/=]+)|(v1=|sha256=)([0-9a-f]+)/g,
          (_all, b64Prefix, b64, hexPrefix, hex) => {
            const encoding = b64 === undefined ? 'hex' : 'base64';
            const raw = Buffer.from(b64 ?? hex, encoding);
            raw[i % raw.length]! ^= 1 << bit;
            return (b64Prefix ?? hexPrefix) + raw.toString(encoding);
          },
        );
        expect(mutated).not.toBe(signed[header]);
        expectRefused(() => scheme.verify(b, { ...signed, [header]: mutated }));
      }),
      RUNS,
    );
  });

  it('a v1a signature spelled in non-canonical base64 (same bytes) is refused', () => {
    const scheme = SCHEMES['standard-webhooks v1a']!;
    fc.assert(
      fc.property(realBody, msgId, (b, id) => {
        const signed = scheme.sign({ id, timestamp: at, body: b });
        const encoded = signed['webhook-signature']!.slice('v1a,'.length);
        const last = BASE64_ALPHABET.indexOf(encoded[85]!);
        for (let padding = 1; padding < 16; padding++) {
          const spelled = `${encoded.slice(0, 85)}${BASE64_ALPHABET[last | padding]}==`;
          expect(Buffer.from(spelled, 'base64').equals(Buffer.from(encoded, 'base64'))).toBe(true);
          expectRefused(() => scheme.verify(b, { ...signed, 'webhook-signature': `v1a,${spelled}` }));
        }
      }),
      { numRuns: 20 },
    );
  });

  it('changing the signed id or timestamp breaks Standard Webhooks, v1 and v1a', () => {
    const schemes = [SCHEMES['standard-webhooks v1']!, SCHEMES['standard-webhooks v1a']!];
    fc.assert(
      fc.property(
        fc.constantFrom(...schemes),
        realBody,
        msgId,
        msgId,
        fc.integer({ min: -200, max: 200 }),
        (scheme, b, id, otherId, shift) => {
          const signed = scheme.sign({ id, timestamp: at, body: b });
          if (otherId !== id) expectRefused(() => scheme.verify(b, { ...signed, 'webhook-id': otherId }));
          if (shift !== 0) {
            const moved = String(NOW_SECONDS + shift);
            expectRefused(() => scheme.verify(b, { ...signed, 'webhook-timestamp': moved }));
          }
        },
      ),
      RUNS,
    );
  });
});

describe('fuzz: arbitrary secrets', () => {
  const secret = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string().map((s) => `whsec_${s}`),
    fc.string().map((s) => `whsk_${s}`),
    fc.string().map((s) => `whpk_${s}`),
    fc.uint8Array({ maxLength: 80 }).map((b) => `whsec_${Buffer.from(b).toString('base64')}`),
    fc.uint8Array({ maxLength: 80 }).map((b) => `whsk_${Buffer.from(b).toString('base64')}`),
    fc.uint8Array({ maxLength: 80 }).map((b) => `whpk_${Buffer.from(b).toString('base64')}`),
    fc.uint8Array({ maxLength: 80 }),
    fc.anything(),
  );
  const factories: Record<string, (secret: never) => SignatureScheme> = {
    'standard-webhooks': (s) => createStandardWebhooksScheme({ secret: s, now }),
    'standard-webhooks (secrets)': (s) => createStandardWebhooksScheme({ secrets: [s], now }),
    campaignflow: (s) => createCampaignFlowScheme({ secret: s, now }),
    github: (s) => createGitHubScheme({ secret: s }),
    Webhook: (s) => {
      const webhook = new Webhook(s, { now });
      return {
        name: 'webhook',
        sign: ({ id, timestamp, body }) => ({
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': webhook.sign(id, timestamp, body),
        }),
        verify: (body, headers) => {
          webhook.verify(body, headers, { jsonParse: false });
          return { id: undefined, timestamp: undefined };
        },
      };
    },
  };

  /** Builds a scheme from an arbitrary secret: a scheme, or one of our secret/input errors. */
  function build(factory: (secret: never) => SignatureScheme, value: unknown): SignatureScheme | undefined {
    try {
      return factory(value as never);
    } catch (error) {
      expect(error, String(error)).toBeInstanceOf(SigningError);
      expect(error instanceof SigningSecretError || error instanceof SigningInputError).toBe(true);
      if (typeof value === 'string' && value.length >= 8) {
        expect((error as Error).message).not.toContain(value);
        const encoded = value.replace(/^wh(sec|sk|pk)_/, '');
        if (encoded.length >= 8) expect((error as Error).message).not.toContain(encoded);
      }
      return undefined;
    }
  }

  it('a factory either builds a working scheme or throws our secret/input error without the secret', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(factories)),
        secret,
        realBody,
        msgId,
        (name, value, b, id) => {
          const scheme = build(factories[name]!, value);
          if (scheme === undefined) return;
          let headers: Record<string, string>;
          try {
            headers = scheme.sign({ id, timestamp: at, body: b });
          } catch (error) {
            // A public key alone cannot sign: that, and only that, is refused at sign time.
            expect(error).toBeInstanceOf(SigningSecretError);
            expect(String(value)).toMatch(/^whpk_/);
            return;
          }
          scheme.verify(b, headers);
          // The same scheme under another secret: its signature must not pass.
          const stranger = factories[name]!(generateSecret() as never);
          const forged = stranger.sign({ id, timestamp: at, body: b });
          expect(Object.keys(forged).sort()).toEqual(Object.keys(headers).sort());
          expectRefused(() => scheme.verify(b, forged), `${name} with a stranger's signature`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a receiver with rotated secrets accepts exactly the senders holding one of them', () => {
    const secrets = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 40 }), {
      minLength: 3,
      maxLength: 5,
    });
    fc.assert(
      fc.property(secrets, fc.nat(), realBody, msgId, (list, pick, b, id) => {
        const [stranger, ...active] = list as [string, ...string[]];
        for (const make of [createCampaignFlowScheme, createGitHubScheme]) {
          const receiver = make({ secrets: active, now });
          const sender = make({ secret: active[pick % active.length]!, now });
          receiver.verify(b, sender.sign({ id, timestamp: at, body: b }));
          const outsider = make({ secret: stranger, now }).sign({ id, timestamp: at, body: b });
          expectRefused(() => receiver.verify(b, outsider));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('one valid entry among random ones in a Standard Webhooks header verifies; none valid never does', () => {
    const scheme = SCHEMES['standard-webhooks v1+v1a']!;
    const junk = fc.array(
      fc.oneof(
        fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `v1,${Buffer.from(b).toString('base64')}`),
        fc
          .uint8Array({ minLength: 64, maxLength: 64 })
          .map((b) => `v1a,${Buffer.from(b).toString('base64')}`),
        fc.stringMatching(/^[^ ]{0,20}$/),
      ),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(realBody, msgId, junk, fc.nat(), (b, id, entries, position) => {
        const signed = scheme.sign({ id, timestamp: at, body: b });
        const valid = signed['webhook-signature']!.split(' ')[position % 2]!;
        const mixed = [...entries];
        mixed.splice(position % (entries.length + 1), 0, valid);
        scheme.verify(b, { ...signed, 'webhook-signature': mixed.join(' ') });
        fc.pre(entries.length > 0);
        expectRefused(() => scheme.verify(b, { ...signed, 'webhook-signature': entries.join(' ') }));
      }),
      RUNS,
    );
  });
});
