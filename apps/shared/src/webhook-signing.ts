import { randomBytes } from 'node:crypto';
import {
  createCampaignFlowScheme,
  createGitHubScheme,
  createStandardWebhooksScheme,
  generateSecret,
  type SignatureScheme,
  type SignInput,
} from '@hooks/signing';

/** The signature schemes the apps can send with. */
export const SIGNATURE_SCHEME_NAMES = ['campaignflow', 'standard-webhooks', 'github'] as const;

/** A signature scheme the apps can send with (`HOOKS_SIGNATURE_SCHEME`). */
export type SignatureSchemeName = (typeof SIGNATURE_SCHEME_NAMES)[number];

/** The header every app-sent webhook carries with the event id (stable across retries). */
export const WEBHOOK_ID_HEADER = 'webhook-id';

/**
 * A new secret for `scheme`: `whsec_<base64>` for Standard Webhooks, 32 random bytes as hex otherwise.
 *
 * @example
 * const secret = generateWebhookSecret('campaignflow'); // '3f9c...'
 */
export function generateWebhookSecret(scheme: SignatureSchemeName): string {
  return scheme === 'standard-webhooks' ? generateSecret() : randomBytes(32).toString('hex');
}

function baseScheme(name: SignatureSchemeName, secret: string): SignatureScheme {
  if (name === 'standard-webhooks') return createStandardWebhooksScheme({ secret });
  if (name === 'github') return createGitHubScheme({ secret });
  return createCampaignFlowScheme({ secret });
}

/**
 * The scheme the apps sign with: `@hooks/signing`'s scheme of that name, plus a `webhook-id` header (the
 * event id, stable across retries) for the schemes that do not sign one. Throws the signing package's
 * error for a secret the scheme refuses.
 *
 * @example
 * const scheme = createWebhookScheme('campaignflow', secret);
 * scheme.sign({ id: 'evt_01J...', timestamp: new Date(), body }); // { 'webhook-id': ..., 'x-webhook-signature': 't=...,v1=...' }
 */
export function createWebhookScheme(name: SignatureSchemeName, secret: string): SignatureScheme {
  const scheme = baseScheme(name, secret);
  if (name === 'standard-webhooks') return scheme;
  return Object.freeze({
    name: scheme.name,
    sign: (input: SignInput) => ({ [WEBHOOK_ID_HEADER]: input.id, ...scheme.sign(input) }),
    verify: scheme.verify.bind(scheme),
  });
}
