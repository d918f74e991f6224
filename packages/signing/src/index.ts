export { type BodyInput, DEFAULT_MAX_BODY_BYTES } from './body-input.js';
export {
  CAMPAIGNFLOW_SIGNATURE_HEADER,
  type CampaignFlowSchemeOptions,
  createCampaignFlowScheme,
} from './campaignflow-scheme.js';
export { createGitHubScheme, GITHUB_SIGNATURE_HEADER, type GitHubSchemeOptions } from './github-scheme.js';
export { type HeaderLookup, type HeadersInput, MAX_HEADER_LENGTH } from './headers-input.js';
export { type Ed25519KeyPair, generateEd25519KeyPair, generateSecret } from './key-generation.js';
export type { SecretInput } from './secret-keys.js';
export type { SignatureScheme, SignInput, VerifiedWebhook } from './signature-scheme.js';
export {
  SigningError,
  type SigningErrorCode,
  type SigningErrorOptions,
  SigningInputError,
  SigningSecretError,
  type VerificationErrorCode,
  WebhookVerificationError,
  type WebhookVerificationErrorOptions,
} from './signing-errors.js';
export {
  createStandardWebhooksScheme,
  type StandardWebhooksSchemeOptions,
} from './standard-webhooks-scheme.js';
export { STANDARD_HEADERS } from './standard-webhooks-signer.js';
export {
  type Clock,
  DEFAULT_TOLERANCE_SECONDS,
  type SecretsOptions,
  type VerifyLimitsOptions,
} from './verify-options.js';
export { Webhook, type WebhookOptions, type WebhookVerifyOptions } from './webhook.js';
