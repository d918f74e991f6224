import { timingSafeEqual } from 'node:crypto';

// Scratch buffers reused by every comparison (verification is synchronous), one pair per signature length.
const scratch = new Map<number, [Buffer, Buffer]>();

function scratchPair(length: number): [Buffer, Buffer] {
  let pair = scratch.get(length);
  if (pair === undefined) {
    pair = [Buffer.alloc(length), Buffer.alloc(length)];
    if (length <= 128) scratch.set(length, pair);
  }
  return pair;
}

/**
 * Compares a computed signature (ASCII: base64 or hex) with a received one in constant time
 * (crypto.timingSafeEqual). Lengths are compared first: that only tells the sender the length it sent.
 */
export function signaturesEqual(expected: string, received: string): boolean {
  const length = expected.length;
  if (received.length !== length) return false;
  const [a, b] = scratchPair(length);
  a.write(expected, 'latin1');
  // A non-ASCII character takes several UTF-8 bytes: then it cannot be equal.
  if (Buffer.byteLength(received, 'utf8') !== length) return false;
  b.write(received, 'utf8');
  return timingSafeEqual(a, b);
}
