import { type BodyInput, bodyText, checkBodyToSign } from './body-input.js';
import type { HeadersInput } from './headers-input.js';
import { parseStandardSecret, type SecretInput } from './secret-keys.js';
import { asVerificationError, SigningInputError, verificationError } from './signing-errors.js';
import { StandardWebhooksSigner } from './standard-webhooks-signer.js';
import { secondsToSign } from './timestamp-tolerance.js';
import { checkOptionsObject, normaliseVerifyLimits, type VerifyLimitsOptions } from './verify-options.js';

/** Options of `new Webhook(secret, options)`: those of `standardwebhooks` plus the verification limits. */
export interface WebhookOptions extends VerifyLimitsOptions {
  /** `'raw'`: the secret is the raw key (bytes, or a string taken as its char codes), not base64. */
  format?: 'raw';
}

/** Options of `Webhook#verify`. */
export interface WebhookVerifyOptions {
  /** Parse the verified body as JSON and return it (default true); false returns undefined. */
  jsonParse?: boolean;
}

/**
 * A drop-in for the `standardwebhooks` package's `Webhook`: same constructor, `sign` and `verify`, plus
 * several secrets (key rotation), Ed25519 `whsk_` / `whpk_` keys, a tolerance and an injectable clock.
 *
 * @example
 * const wh = new Webhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
 * const payload = wh.verify(rawBody, request.headers); // parsed JSON, or throws WebhookVerificationError
 */
export class Webhook {
  readonly #signer: StandardWebhooksSigner;

  constructor(secret: SecretInput | readonly SecretInput[], options?: WebhookOptions) {
    const checked = checkOptionsObject(options) as WebhookOptions;
    const raw = checked.format === 'raw';
    const secrets: readonly unknown[] = Array.isArray(secret) ? secret : [secret];
    if (secrets.length === 0) throw new SigningInputError('secret', 'Pass a secret (or secrets)');
    const keys = secrets.map((one) => parseStandardSecret(one, raw));
    this.#signer = new StandardWebhooksSigner(keys, normaliseVerifyLimits(checked));
  }

  /** The `webhook-signature` value for a message: `v1,<base64>` (one entry per secret, space-separated). */
  sign(msgId: string, timestamp: Date, payload: BodyInput): string {
    const seconds = secondsToSign(timestamp);
    checkBodyToSign(payload);
    return this.#signer.sign(msgId, String(seconds), payload);
  }

  /** Verifies a raw body against its `webhook-*` headers and returns the parsed JSON (undefined if empty). */
  verify(payload: BodyInput, headers: HeadersInput, options?: WebhookVerifyOptions): unknown {
    try {
      this.#signer.verify(payload, headers);
    } catch (error) {
      throw asVerificationError(error);
    }
    if (options?.jsonParse === false) return undefined;
    const text = bodyText(payload);
    if (text === '') return undefined;
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw verificationError('HOOKS_ERR_SIGNATURE_PAYLOAD', 'The signed payload is not valid JSON', cause);
    }
  }
}
