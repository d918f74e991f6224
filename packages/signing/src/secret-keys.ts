import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { SigningSecretError } from './signing-errors.js';

/** A secret as configured: a prefixed or plain base64 string, or raw key bytes. */
export type SecretInput = string | Uint8Array;

/** A Standard Webhooks key ready to use: an HMAC key (`v1`) or an Ed25519 key (`v1a`). */
export type StandardKey =
  | { readonly kind: 'hmac'; readonly key: KeyObject }
  | { readonly kind: 'ed25519'; readonly privateKey: KeyObject | undefined; readonly publicKey: KeyObject };

/** Prefix of a symmetric Standard Webhooks secret. */
export const SECRET_PREFIX = 'whsec_';
/** Prefix of an Ed25519 secret (private) key. */
export const SECRET_KEY_PREFIX = 'whsk_';
/** Prefix of an Ed25519 public key. */
export const PUBLIC_KEY_PREFIX = 'whpk_';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
// DER headers that wrap a raw 32-byte Ed25519 seed (PKCS#8) or public key (SPKI).
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Parses a Standard Webhooks secret: `whsec_<base64>` (or plain base64) for HMAC, `whsk_` / `whpk_` for
 * Ed25519, bytes for a raw HMAC key. With `raw`, a string is taken as its char codes (like `format: 'raw'`).
 */
export function parseStandardSecret(secret: unknown, raw = false): StandardKey {
  if (secret instanceof Uint8Array) return { kind: 'hmac', key: hmacKey(secret) };
  if (typeof secret !== 'string') throw new SigningSecretError('The secret must be a string or bytes');
  if (raw) return { kind: 'hmac', key: hmacKey(Buffer.from(secret, 'latin1')) };
  if (secret.startsWith(SECRET_KEY_PREFIX)) {
    const privateKey = ed25519PrivateKey(decodeBase64(secret.slice(SECRET_KEY_PREFIX.length)));
    return { kind: 'ed25519', privateKey, publicKey: createPublicKey(privateKey) };
  }
  if (secret.startsWith(PUBLIC_KEY_PREFIX)) {
    return {
      kind: 'ed25519',
      privateKey: undefined,
      publicKey: ed25519PublicKey(decodeBase64(secret.slice(PUBLIC_KEY_PREFIX.length))),
    };
  }
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return { kind: 'hmac', key: hmacKey(decodeBase64(encoded)) };
}

/** A secret used as its UTF-8 bytes (Stripe and GitHub style), or raw bytes. */
export function parseUtf8Secret(secret: unknown): KeyObject {
  if (secret instanceof Uint8Array) return hmacKey(secret);
  if (typeof secret !== 'string') throw new SigningSecretError('The secret must be a string or bytes');
  return hmacKey(Buffer.from(secret, 'utf8'));
}

function hmacKey(bytes: Uint8Array): KeyObject {
  if (bytes.byteLength === 0) throw new SigningSecretError("Secret can't be empty.");
  return createSecretKey(Buffer.from(bytes));
}

function decodeBase64(text: string): Buffer {
  if (!BASE64.test(text)) throw new SigningSecretError('The secret is not valid base64');
  return Buffer.from(text, 'base64');
}

function ed25519PrivateKey(bytes: Buffer): KeyObject {
  // 32 bytes is the seed; 64 bytes is libsodium's seed followed by the public key.
  if (bytes.length !== 32 && bytes.length !== 64) {
    throw new SigningSecretError(
      'An Ed25519 secret key (whsk_) must be 32 bytes (or 64 with the public key)',
    );
  }
  const seed = bytes.subarray(0, 32);
  const key = importKey(() =>
    createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' }),
  );
  if (bytes.length === 64) {
    const derived = createPublicKey(key)
      .export({ format: 'der', type: 'spki' })
      .subarray(SPKI_ED25519.length);
    if (!derived.equals(bytes.subarray(32))) {
      throw new SigningSecretError('The Ed25519 secret key (whsk_) does not match its public half');
    }
  }
  return key;
}

function ed25519PublicKey(bytes: Buffer): KeyObject {
  if (bytes.length !== 32) throw new SigningSecretError('An Ed25519 public key (whpk_) must be 32 bytes');
  return importKey(() =>
    createPublicKey({ key: Buffer.concat([SPKI_ED25519, bytes]), format: 'der', type: 'spki' }),
  );
}

function importKey(load: () => KeyObject): KeyObject {
  try {
    return load();
  } catch (cause) {
    throw new SigningSecretError('The Ed25519 key could not be imported', { cause });
  }
}

/** The raw 32-byte public key of an Ed25519 KeyObject, base64. */
export function rawPublicKeyBase64(publicKey: KeyObject): string {
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519.length).toString('base64');
}
