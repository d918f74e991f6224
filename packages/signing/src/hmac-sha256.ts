import { createHmac, type KeyObject } from 'node:crypto';
import type { BodyInput } from './body-input.js';
import { signaturesEqual } from './constant-time.js';

// Below this many characters one update of prefix + body is cheaper; above it, concatenating costs a copy
// of the body and two updates win (measured on node 20: 0.8x at 256 chars, 1.25x from 4 KiB).
const CONCAT_BELOW = 1024;

/** HMAC-SHA256 of `prefix` followed by `body`: one HMAC, and no copy of a large body. */
export function hmacSha256(
  key: KeyObject,
  prefix: string,
  body: BodyInput,
  encoding: 'base64' | 'hex',
): string {
  const hmac = createHmac('sha256', key);
  if (typeof body === 'string' && body.length < CONCAT_BELOW)
    return hmac.update(prefix + body).digest(encoding);
  if (prefix !== '') hmac.update(prefix);
  return hmac.update(body).digest(encoding);
}

/** True when any received hex signature equals the HMAC of `prefix` + body under any key (constant time). */
export function hmacMatchesAny(
  keys: readonly KeyObject[],
  prefix: string,
  body: BodyInput,
  signatures: readonly string[],
): boolean {
  if (signatures.length === 0) return false;
  for (const key of keys) {
    const expected = hmacSha256(key, prefix, body, 'hex');
    for (const signature of signatures) if (signaturesEqual(expected, signature)) return true;
  }
  return false;
}
