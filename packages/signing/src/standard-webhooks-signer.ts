import { type KeyObject, sign as signEd25519, verify as verifyEd25519 } from 'node:crypto';
import { type BodyInput, bodyBytes, checkReceivedBody } from './body-input.js';
import { signaturesEqual } from './constant-time.js';
import { readHeader } from './headers-input.js';
import { hmacSha256 } from './hmac-sha256.js';
import type { StandardKey } from './secret-keys.js';
import type { VerifiedWebhook } from './signature-scheme.js';
import { SigningInputError, SigningSecretError, verificationError } from './signing-errors.js';
import { checkTolerance, parseUnixSeconds } from './timestamp-tolerance.js';
import type { VerifyLimits } from './verify-options.js';

/** Header names of Standard Webhooks. */
export const STANDARD_HEADERS = Object.freeze({
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
});

// Canonical base64 of 64 bytes only: the 86th character carries 2 bits and 4 zero padding bits, so it is
// one of A, Q, g, w. A lenient decode would accept 15 other spellings of the same signature.
const ED25519_SIGNATURE = /^[A-Za-z0-9+/]{85}[AQgw]==$/;

/**
 * Signs and verifies Standard Webhooks signatures with keys prepared once: `v1` (HMAC-SHA256) for each
 * HMAC key and `v1a` (Ed25519) for each Ed25519 secret key; verification accepts any of them.
 */
export class StandardWebhooksSigner {
  readonly #hmacKeys: readonly KeyObject[];
  readonly #privateKeys: readonly KeyObject[];
  readonly #publicKeys: readonly KeyObject[];
  readonly #limits: VerifyLimits;

  constructor(keys: readonly StandardKey[], limits: VerifyLimits) {
    this.#hmacKeys = keys.flatMap((key) => (key.kind === 'hmac' ? [key.key] : []));
    this.#privateKeys = keys.flatMap((key) =>
      key.kind === 'ed25519' && key.privateKey ? [key.privateKey] : [],
    );
    this.#publicKeys = keys.flatMap((key) => (key.kind === 'ed25519' ? [key.publicKey] : []));
    this.#limits = limits;
  }

  /** The `webhook-signature` value: one `v1,` or `v1a,` entry per signing key, space-separated. */
  sign(id: string, timestamp: string, body: BodyInput): string {
    checkMessageId(id);
    const prefix = id + '.' + timestamp + '.';
    const hmacKeys = this.#hmacKeys;
    let header = hmacKeys.length > 0 ? 'v1,' + hmacSha256(hmacKeys[0]!, prefix, body, 'base64') : '';
    for (let i = 1; i < hmacKeys.length; i++) {
      header += ' v1,' + hmacSha256(hmacKeys[i]!, prefix, body, 'base64');
    }
    if (this.#privateKeys.length > 0) {
      const content = Buffer.concat([Buffer.from(prefix, 'utf8'), bodyBytes(body)]);
      for (const key of this.#privateKeys) {
        header += (header === '' ? 'v1a,' : ' v1a,') + signEd25519(null, content, key).toString('base64');
      }
    }
    if (header === '') throw new SigningSecretError('Only public keys (whpk_) were given: nothing can sign');
    return header;
  }

  /** Verifies body and headers; returns the signed id and timestamp or throws WebhookVerificationError. */
  verify(body: unknown, headers: unknown): VerifiedWebhook {
    checkReceivedBody(body, this.#limits.maxBodyBytes);
    const id = readHeader(headers, STANDARD_HEADERS.id);
    const timestamp = readHeader(headers, STANDARD_HEADERS.timestamp);
    const signatures = readHeader(headers, STANDARD_HEADERS.signature);
    if (id === undefined || timestamp === undefined || signatures === undefined) {
      throw verificationError('HOOKS_ERR_SIGNATURE_HEADERS', 'Missing required headers');
    }
    const seconds = parseUnixSeconds(timestamp);
    checkTolerance(seconds, this.#limits);
    // Sign over the number as the reference does ("0123" -> "123"); a canonical header is used as it is.
    const canonical =
      timestamp.charCodeAt(0) !== 0x30 || timestamp.length === 1 ? timestamp : String(seconds);
    if (!this.#matches(id + '.' + canonical + '.', body, signatures)) {
      throw verificationError('HOOKS_ERR_SIGNATURE_MISMATCH', 'No matching signature found');
    }
    return { id, timestamp: new Date(seconds * 1000) };
  }

  #matches(prefix: string, body: BodyInput, signatures: string): boolean {
    const v1: string[] = [];
    const v1a: Buffer[] = [];
    for (const entry of signatures.indexOf(' ') === -1 ? [signatures] : signatures.split(' ')) {
      const comma = entry.indexOf(',');
      const version = entry.slice(0, comma);
      // A repeated header arrives joined with ", ": drop the joining comma.
      const signature = entry.endsWith(',') ? entry.slice(comma + 1, -1) : entry.slice(comma + 1);
      if (version === 'v1') v1.push(signature);
      else if (version === 'v1a' && ED25519_SIGNATURE.test(signature))
        v1a.push(Buffer.from(signature, 'base64'));
    }
    if (v1.length > 0) {
      for (const key of this.#hmacKeys) {
        const expected = hmacSha256(key, prefix, body, 'base64');
        for (const signature of v1) if (signaturesEqual(expected, signature)) return true;
      }
    }
    if (v1a.length > 0 && this.#publicKeys.length > 0) {
      const content = Buffer.concat([Buffer.from(prefix, 'utf8'), bodyBytes(body)]);
      for (const key of this.#publicKeys) {
        for (const signature of v1a) if (verifyEd25519(null, content, key, signature)) return true;
      }
    }
    return false;
  }
}

/** Refuses a message id that cannot be sent in a header or that contains a dot (the spec forbids it). */
export function checkMessageId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 256) {
    throw new SigningInputError('id', 'The message id must be a string of 1 to 256 characters');
  }
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code <= 0x20 || code >= 0x7f || code === 0x2e) {
      throw new SigningInputError('id', 'The message id must be printable ASCII without spaces or dots');
    }
  }
}
