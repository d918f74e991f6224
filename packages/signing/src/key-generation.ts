import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { PUBLIC_KEY_PREFIX, rawPublicKeyBase64, SECRET_KEY_PREFIX, SECRET_PREFIX } from './secret-keys.js';
import { SigningInputError } from './signing-errors.js';

/** An Ed25519 key pair in Standard Webhooks form. */
export interface Ed25519KeyPair {
  /** `whsk_<base64 of the 32-byte seed>`: keep it on the sender. */
  readonly secretKey: string;
  /** `whpk_<base64 of the 32-byte public key>`: give it to receivers. */
  readonly publicKey: string;
}

/**
 * A new random Standard Webhooks secret: `whsec_` + base64 of `byteLength` random bytes (24..64, default 32).
 *
 * @example
 * const secret = generateSecret(); // 'whsec_Vb3...'
 */
export function generateSecret(byteLength = 32): string {
  if (!Number.isInteger(byteLength) || byteLength < 24 || byteLength > 64) {
    throw new SigningInputError('byteLength', 'byteLength must be an integer from 24 to 64');
  }
  return SECRET_PREFIX + randomBytes(byteLength).toString('base64');
}

/**
 * A new Ed25519 key pair for `v1a` signatures: sign with `secretKey`, verify with `publicKey`.
 *
 * @example
 * const { secretKey, publicKey } = generateEd25519KeyPair(); // 'whsk_...', 'whpk_...'
 */
export function generateEd25519KeyPair(): Ed25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d ?? '', 'base64url').toString('base64');
  return Object.freeze({
    secretKey: SECRET_KEY_PREFIX + seed,
    publicKey: PUBLIC_KEY_PREFIX + rawPublicKeyBase64(publicKey),
  });
}
