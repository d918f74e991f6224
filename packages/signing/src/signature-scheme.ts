import type { BodyInput } from './body-input.js';
import type { HeadersInput } from './headers-input.js';
import { SigningInputError } from './signing-errors.js';

/** What a scheme signs for one delivery attempt. */
export interface SignInput {
  /** The event id, stable across retries (Standard Webhooks sends it as `webhook-id`). No dots or spaces. */
  readonly id: string;
  /** When this attempt is made; whole unix seconds are signed. */
  readonly timestamp: Date;
  /** The exact body that will be sent. */
  readonly body: BodyInput;
}

/** What a successful verification learned from the signed headers. */
export interface VerifiedWebhook {
  /** The signed message id, when the scheme signs one (Standard Webhooks). */
  readonly id: string | undefined;
  /** The signed timestamp, when the scheme signs one (Standard Webhooks, CampaignFlow). */
  readonly timestamp: Date | undefined;
}

/** The shape every signing scheme shares, so a sender can take any of them. */
export interface SignatureScheme {
  /** A stable name: 'standard-webhooks', 'campaignflow' or 'github'. */
  readonly name: string;
  /** The headers to send with this attempt (lower-case names). */
  sign(input: SignInput): Record<string, string>;
  /** Verifies a received body against its headers; throws `WebhookVerificationError` when it does not verify. */
  verify(body: BodyInput, headers: HeadersInput): VerifiedWebhook;
}

/** Refuses a sign input that is not an object. */
export function checkSignInput(input: unknown): SignInput {
  if (typeof input !== 'object' || input === null) {
    throw new SigningInputError('input', 'sign() takes { id, timestamp, body }');
  }
  return input as SignInput;
}
