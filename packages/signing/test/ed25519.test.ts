import { describe, expect, it } from 'vitest';
import { createStandardWebhooksScheme, generateEd25519KeyPair, Webhook } from '../src/index.js';
import { catchSigningError, expectVerificationError } from './helpers.js';

const body = '{"type":"asymmetric","data":{"n":1}}';

function signedHeaders(secretKey: string, timestamp = new Date()): Record<string, string> {
  return createStandardWebhooksScheme({ secret: secretKey }).sign({ id: 'msg_ed25519', timestamp, body });
}

describe('v1a: Ed25519 signatures', () => {
  it('generates whsk_ / whpk_ keys of 32 raw bytes each', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    expect(secretKey).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secretKey.slice(5), 'base64')).toHaveLength(32);
    expect(Buffer.from(publicKey.slice(5), 'base64')).toHaveLength(32);
    expect(generateEd25519KeyPair().secretKey).not.toBe(secretKey);
  });

  it('signs with the secret key and verifies with the public key (or the secret key)', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const headers = signedHeaders(secretKey);
    expect(headers['webhook-signature']).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(new Webhook(publicKey).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(secretKey).verify(Buffer.from(body), headers)).toEqual(JSON.parse(body));
    expect(createStandardWebhooksScheme({ secret: publicKey }).verify(body, headers).id).toBe('msg_ed25519');
  });

  it('detects tampering with the body, id, timestamp or signature', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const receiver = new Webhook(publicKey);
    const headers = signedHeaders(secretKey);
    expectVerificationError(
      () => receiver.verify(body.replace('1', '2'), headers),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
    expectVerificationError(
      () => receiver.verify(body, { ...headers, 'webhook-id': 'msg_other' }),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
    const ts = Number(headers['webhook-timestamp']) - 1;
    expectVerificationError(
      () => receiver.verify(body, { ...headers, 'webhook-timestamp': String(ts) }),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
    const raw = Buffer.from(headers['webhook-signature']!.slice(4), 'base64');
    raw[10] = raw[10]! ^ 1;
    expectVerificationError(
      () => receiver.verify(body, { ...headers, 'webhook-signature': `v1a,${raw.toString('base64')}` }),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
    expectVerificationError(
      () => receiver.verify(body, { ...headers, 'webhook-signature': 'v1a,not-base64' }),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
  });

  it("another key pair's signature does not verify; a v1a entry is not read as v1", () => {
    const mine = generateEd25519KeyPair();
    const theirs = generateEd25519KeyPair();
    expectVerificationError(
      () => new Webhook(mine.publicKey).verify(body, signedHeaders(theirs.secretKey)),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
    expectVerificationError(
      () => new Webhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').verify(body, signedHeaders(mine.secretKey)),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
  });

  it('accepts a 64-byte libsodium secret key (seed + public key) and refuses a mismatched one', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const seed = Buffer.from(secretKey.slice(5), 'base64');
    const pub = Buffer.from(publicKey.slice(5), 'base64');
    const sodium = `whsk_${Buffer.concat([seed, pub]).toString('base64')}`;
    const at = new Date(1_700_000_000_000);
    expect(signedHeaders(sodium, at)).toEqual(signedHeaders(secretKey, at));
    const other = Buffer.from(generateEd25519KeyPair().publicKey.slice(5), 'base64');
    const bad = `whsk_${Buffer.concat([seed, other]).toString('base64')}`;
    expect(catchSigningError(() => new Webhook(bad)).code).toBe('HOOKS_ERR_SIGNATURE_SECRET');
  });

  it('a public key alone cannot sign', () => {
    const { publicKey } = generateEd25519KeyPair();
    const error = catchSigningError(() => new Webhook(publicKey).sign('msg_1', new Date(), body));
    expect(error.code).toBe('HOOKS_ERR_SIGNATURE_SECRET');
  });

  it('refuses keys of the wrong length', () => {
    for (const key of [
      'whsk_',
      'whpk_',
      `whsk_${Buffer.alloc(31).toString('base64')}`,
      `whpk_${Buffer.alloc(33).toString('base64')}`,
    ]) {
      expect(catchSigningError(() => new Webhook(key)).code).toBe('HOOKS_ERR_SIGNATURE_SECRET');
    }
  });
});
