import * as reference from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { createStandardWebhooksScheme, Webhook } from '../src/index.js';
import { atSpecTime, expectVerificationError, SPEC, specHeaders } from './helpers.js';

// From the standard-webhooks repository: libraries/go/webhook_asymmetric_test.go (TestAsymmetricWebhookSign).
const ED25519_VECTOR = Object.freeze({
  secretKey: 'whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=',
  signature: 'v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag==',
});

describe('Standard Webhooks spec test vectors', () => {
  it('signs the published v1 vector', () => {
    const wh = new Webhook(SPEC.secret);
    expect(wh.sign(SPEC.msgId, new Date(SPEC.seconds * 1000), SPEC.payload)).toBe(SPEC.signature);
  });

  it('signs the same with or without the whsec_ prefix, and from a Buffer or Uint8Array payload', () => {
    const wh = new Webhook(SPEC.plainSecret);
    const at = new Date(SPEC.seconds * 1000 + 999); // whole seconds are signed
    expect(wh.sign(SPEC.msgId, at, SPEC.payload)).toBe(SPEC.signature);
    expect(wh.sign(SPEC.msgId, at, Buffer.from(SPEC.payload))).toBe(SPEC.signature);
    expect(wh.sign(SPEC.msgId, at, new TextEncoder().encode(SPEC.payload))).toBe(SPEC.signature);
  });

  it('signs the published v1a (Ed25519) vector', () => {
    const wh = new Webhook(ED25519_VECTOR.secretKey);
    expect(wh.sign(SPEC.msgId, new Date(SPEC.seconds * 1000), SPEC.payload)).toBe(ED25519_VECTOR.signature);
  });

  it('verifies the v1 vector and returns the parsed JSON', () => {
    const wh = new Webhook(SPEC.secret, { now: atSpecTime });
    expect(wh.verify(SPEC.payload, specHeaders())).toEqual({ test: 2432232314 });
    expect(wh.verify(SPEC.payload, specHeaders(), { jsonParse: false })).toBeUndefined();
  });

  it('verifies the v1a vector with the matching public key only', () => {
    const signer = new Webhook(ED25519_VECTOR.secretKey);
    const headers = specHeaders(ED25519_VECTOR.signature);
    const scheme = createStandardWebhooksScheme({ secret: ED25519_VECTOR.secretKey, now: atSpecTime });
    expect(scheme.verify(SPEC.payload, headers)).toEqual({
      id: SPEC.msgId,
      timestamp: new Date(SPEC.seconds * 1000),
    });
    expect(signer.sign(SPEC.msgId, new Date(SPEC.seconds * 1000), SPEC.payload)).toBe(
      ED25519_VECTOR.signature,
    );
  });

  it('the scheme signs the vector into the three headers', () => {
    const scheme = createStandardWebhooksScheme({ secret: SPEC.secret });
    const headers = scheme.sign({
      id: SPEC.msgId,
      timestamp: new Date(SPEC.seconds * 1000),
      body: SPEC.payload,
    });
    expect(headers).toEqual(specHeaders());
  });
});

describe('Standard Webhooks reference behaviour (the spec libraries own test cases)', () => {
  const wh = new Webhook(SPEC.secret, { now: atSpecTime });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('a missing %s is refused', (name) => {
    const headers = specHeaders();
    delete headers[name];
    const error = expectVerificationError(
      () => wh.verify(SPEC.payload, headers),
      'HOOKS_ERR_SIGNATURE_HEADERS',
    );
    expect(error.message).toBe('Missing required headers');
  });

  it.each(['hello', '', '12.5', '-1614265330', '0x60378d72', ' 1614265330', '1614265330abc'])(
    'a garbled timestamp %j is refused',
    (timestamp) => {
      const headers = { ...specHeaders(), 'webhook-timestamp': timestamp };
      expectVerificationError(() => wh.verify(SPEC.payload, headers), 'HOOKS_ERR_SIGNATURE_HEADERS');
    },
  );

  it.each([
    'v1,dawfeoifkpqwoekfpqoekf',
    'v1,',
    SPEC.signature.slice(0, 8),
    SPEC.signature.slice(0, -1),
    'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
    SPEC.signature.replace('v1,', 'v2,'),
    SPEC.signature.replace('v1,', 'v1a,'),
    SPEC.signature.replace(',', ''),
    SPEC.signature.toLowerCase(),
  ])('an invalid or partial signature %j is refused', (signature) => {
    const error = expectVerificationError(
      () => wh.verify(SPEC.payload, specHeaders(signature)),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
    expect(error.message).toBe('No matching signature found');
  });

  it('a signature of the right length with non-ASCII characters never matches', () => {
    const last = SPEC.signature.at(-2)!; // the character before '='
    // U+0100 + code: its low byte is the right character; a lossy (latin1) comparison would accept it.
    const lossy = String.fromCharCode(0x100 + last.charCodeAt(0));
    for (const swap of [lossy, 'é', '\u{1F600}'.slice(0, 1)]) {
      const signature = SPEC.signature.slice(0, -2) + swap + '=';
      expect(signature).toHaveLength(SPEC.signature.length);
      expectVerificationError(
        () => wh.verify(SPEC.payload, specHeaders(signature)),
        'HOOKS_ERR_SIGNATURE_MISMATCH',
      );
    }
  });

  it('a timestamp with leading zeros is read as its number, like the reference', () => {
    const headers = { ...specHeaders(), 'webhook-timestamp': `000${SPEC.seconds}` };
    expect(wh.verify(SPEC.payload, headers)).toEqual({ test: 2432232314 });
    vi.useFakeTimers({ now: SPEC.seconds * 1000, toFake: ['Date'] });
    try {
      expect(new reference.Webhook(SPEC.secret).verify(SPEC.payload, headers)).toEqual({ test: 2432232314 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('a header with several signatures verifies when any one matches', () => {
    const signature = [
      'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
      'v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
      SPEC.signature,
      'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
    ].join(' ');
    expect(wh.verify(SPEC.payload, specHeaders(signature))).toEqual({ test: 2432232314 });
  });

  it('a tampered body, id or timestamp is refused', () => {
    expectVerificationError(
      () => wh.verify('{"test": 2432232315}', specHeaders()),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
    expectVerificationError(
      () => wh.verify(SPEC.payload, { ...specHeaders(), 'webhook-id': 'msg_other' }),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
    expectVerificationError(
      () => wh.verify(SPEC.payload, { ...specHeaders(), 'webhook-timestamp': String(SPEC.seconds + 1) }),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
  });

  it('an empty verified body returns undefined; a non-JSON one is a payload error', () => {
    const signer = new Webhook(SPEC.secret, { now: atSpecTime });
    const at = new Date(SPEC.seconds * 1000);
    expect(signer.verify('', specHeaders(signer.sign(SPEC.msgId, at, '')))).toBeUndefined();
    const notJson = 'plain text';
    const headers = specHeaders(signer.sign(SPEC.msgId, at, notJson));
    expect(signer.verify(notJson, headers, { jsonParse: false })).toBeUndefined();
    const error = expectVerificationError(
      () => signer.verify(notJson, headers),
      'HOOKS_ERR_SIGNATURE_PAYLOAD',
    );
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });
});
