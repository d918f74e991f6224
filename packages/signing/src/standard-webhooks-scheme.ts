import { checkBodyToSign } from './body-input.js';
import type { HeadersInput } from './headers-input.js';
import { parseStandardSecret, type SecretInput } from './secret-keys.js';
import {
  checkSignInput,
  type SignatureScheme,
  type SignInput,
  type VerifiedWebhook,
} from './signature-scheme.js';
import { asVerificationError } from './signing-errors.js';
import { StandardWebhooksSigner } from './standard-webhooks-signer.js';
import { secondsToSign } from './timestamp-tolerance.js';
import {
  checkOptionsObject,
  collectSecrets,
  normaliseVerifyLimits,
  type SecretsOptions,
  type VerifyLimitsOptions,
} from './verify-options.js';

/** Options of `createStandardWebhooksScheme`. */
export interface StandardWebhooksSchemeOptions extends SecretsOptions<SecretInput>, VerifyLimitsOptions {}

/**
 * The Standard Webhooks scheme: `webhook-id`, `webhook-timestamp` and `webhook-signature` headers, with a
 * `v1` (HMAC-SHA256, `whsec_` secret) or `v1a` (Ed25519, `whsk_` / `whpk_` key) entry per secret.
 *
 * @example
 * const scheme = createStandardWebhooksScheme({ secrets: [newSecret, oldSecret] });
 * const headers = scheme.sign({ id: 'evt_01J...', timestamp: new Date(), body });
 * // receiver: scheme.verify(rawBody, request.headers) -> { id, timestamp } or throws
 */
export function createStandardWebhooksScheme(options: StandardWebhooksSchemeOptions): SignatureScheme {
  const checked = checkOptionsObject(options) as StandardWebhooksSchemeOptions;
  const keys = collectSecrets(checked).map((secret) => parseStandardSecret(secret));
  const signer = new StandardWebhooksSigner(keys, normaliseVerifyLimits(checked));
  return Object.freeze({
    name: 'standard-webhooks',
    sign(input: SignInput): Record<string, string> {
      const { id, timestamp, body } = checkSignInput(input);
      const seconds = secondsToSign(timestamp);
      checkBodyToSign(body);
      const timestampText = String(seconds);
      const signature = signer.sign(id, timestampText, body);
      return { 'webhook-id': id, 'webhook-timestamp': timestampText, 'webhook-signature': signature };
    },
    verify(body: unknown, headers: HeadersInput): VerifiedWebhook {
      try {
        return signer.verify(body, headers);
      } catch (error) {
        throw asVerificationError(error);
      }
    },
  });
}
