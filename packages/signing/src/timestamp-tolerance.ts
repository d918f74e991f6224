import { SigningInputError, verificationError } from './signing-errors.js';
import type { VerifyLimits } from './verify-options.js';

/** Parses a signed timestamp (unix seconds: 1 to 15 ASCII digits); anything else is a garbled header. */
export function parseUnixSeconds(text: string): number {
  const length = text.length;
  let seconds = length > 0 && length <= 15 ? 0 : -1;
  for (let i = 0; i < length && seconds >= 0; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    seconds = digit >= 0 && digit <= 9 ? seconds * 10 + digit : -1;
  }
  if (seconds < 0) {
    throw verificationError('HOOKS_ERR_SIGNATURE_HEADERS', 'Invalid Signature Headers: bad timestamp');
  }
  return seconds;
}

/** Throws HOOKS_ERR_SIGNATURE_EXPIRED when `seconds` is further than the tolerance from now. */
export function checkTolerance(seconds: number, limits: VerifyLimits): void {
  const now = nowInSeconds(limits);
  if (now - seconds > limits.toleranceSeconds) {
    throw verificationError('HOOKS_ERR_SIGNATURE_EXPIRED', 'Message timestamp too old');
  }
  if (seconds - now > limits.toleranceSeconds) {
    throw verificationError('HOOKS_ERR_SIGNATURE_EXPIRED', 'Message timestamp too new');
  }
}

function nowInSeconds(limits: VerifyLimits): number {
  const value = limits.now();
  const ms = typeof value === 'number' ? value : value instanceof Date ? value.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new SigningInputError('now', 'now() must return milliseconds since the epoch or a valid Date');
  }
  return Math.floor(ms / 1000);
}

/** Whole unix seconds of the timestamp to sign; refuses anything but a valid, non-negative Date. */
export function secondsToSign(timestamp: unknown): number {
  if (!(timestamp instanceof Date) || !(timestamp.getTime() >= 0)) {
    throw new SigningInputError('timestamp', 'The timestamp to sign must be a valid Date after 1970');
  }
  return Math.floor(timestamp.getTime() / 1000);
}
