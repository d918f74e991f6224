import { SigningInputError, verificationError } from './signing-errors.js';

/** Default largest body verify accepts: 20 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

/** A webhook body exactly as sent or received: a string (UTF-8 on the wire) or raw bytes (a Buffer). */
export type BodyInput = string | Uint8Array;

/** Refuses a body that is not a string or bytes, or that is larger than `maxBytes` (UTF-8 bytes). */
export function checkReceivedBody(body: unknown, maxBytes: number): asserts body is BodyInput {
  if (typeof body === 'string') {
    // UTF-8 needs at least one byte and at most three per UTF-16 unit: count bytes only when it matters.
    if (body.length * 3 <= maxBytes) return;
    if (body.length <= maxBytes && Buffer.byteLength(body, 'utf8') <= maxBytes) return;
  } else if (body instanceof Uint8Array) {
    if (body.byteLength <= maxBytes) return;
  } else {
    throw verificationError(
      'HOOKS_ERR_SIGNATURE_PAYLOAD',
      'The body must be the raw request body as a string, Buffer or Uint8Array',
    );
  }
  throw verificationError('HOOKS_ERR_SIGNATURE_PAYLOAD', `The body is larger than ${maxBytes} bytes`);
}

/** Refuses a body to sign that is not a string or bytes. */
export function checkBodyToSign(body: unknown): asserts body is BodyInput {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new SigningInputError('body', 'The body to sign must be a string, Buffer or Uint8Array');
  }
}

/** The body as UTF-8 bytes, without copying when it already is bytes. */
export function bodyBytes(body: BodyInput): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** The body as text (UTF-8 decoded when it is bytes). */
export function bodyText(body: BodyInput): string {
  if (typeof body === 'string') return body;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}
