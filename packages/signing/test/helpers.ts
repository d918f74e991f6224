import { expect } from 'vitest';
import { SigningError, WebhookVerificationError } from '../src/index.js';

/** The Standard Webhooks spec's published test vector (the libraries' tests in standard-webhooks). */
export const SPEC = Object.freeze({
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  plainSecret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  seconds: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
});

/** A clock frozen at the spec vector's timestamp (milliseconds). */
export const atSpecTime = (): number => SPEC.seconds * 1000;

/** Runs `fn`, expects it to throw one of our errors, and returns it. */
export function catchSigningError(fn: () => unknown): SigningError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a throw').toBeDefined();
  expect(thrown).toBeInstanceOf(SigningError);
  return thrown as SigningError;
}

/** Expects `fn` to throw a WebhookVerificationError with `code`, and returns it. */
export function expectVerificationError(fn: () => unknown, code: string): WebhookVerificationError {
  const error = catchSigningError(fn);
  expect(error).toBeInstanceOf(WebhookVerificationError);
  expect(error.code).toBe(code);
  return error as WebhookVerificationError;
}

/** The signed headers of the spec vector. */
export function specHeaders(signature: string = SPEC.signature): Record<string, string> {
  return {
    'webhook-id': SPEC.msgId,
    'webhook-timestamp': String(SPEC.seconds),
    'webhook-signature': signature,
  };
}
