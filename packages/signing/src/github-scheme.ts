import { checkBodyToSign, checkReceivedBody } from './body-input.js';
import { type HeadersInput, readHeader } from './headers-input.js';
import { hmacMatchesAny, hmacSha256 } from './hmac-sha256.js';
import { parseUtf8Secret, type SecretInput } from './secret-keys.js';
import {
  checkSignInput,
  type SignatureScheme,
  type SignInput,
  type VerifiedWebhook,
} from './signature-scheme.js';
import { asVerificationError, verificationError } from './signing-errors.js';
import {
  checkOptionsObject,
  collectSecrets,
  normaliseVerifyLimits,
  type SecretsOptions,
} from './verify-options.js';

/** The header GitHub signs with. */
export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';
const PREFIX = 'sha256=';

/** Options of `createGitHubScheme`: no timestamp is signed, so there is no tolerance. */
export interface GitHubSchemeOptions extends SecretsOptions<SecretInput> {
  /** Largest body verify accepts, in bytes (default 20 MiB). */
  maxBodyBytes?: number;
}

/**
 * The GitHub scheme: `x-hub-signature-256: sha256=<hex HMAC-SHA256 of the body>`, keyed with the secret's
 * UTF-8 bytes. It signs with the first secret and verifies against any. No timestamp: no replay protection.
 *
 * @example
 * const scheme = createGitHubScheme({ secret: process.env.GITHUB_WEBHOOK_SECRET! });
 * scheme.verify(rawBody, request.headers); // throws WebhookVerificationError unless signed with the secret
 */
export function createGitHubScheme(options: GitHubSchemeOptions): SignatureScheme {
  const checked = checkOptionsObject(options) as GitHubSchemeOptions;
  const keys = collectSecrets(checked).map(parseUtf8Secret);
  const { maxBodyBytes } = normaliseVerifyLimits({ maxBodyBytes: checked.maxBodyBytes });
  const signingKey = keys[0]!;
  return Object.freeze({
    name: 'github',
    sign(input: SignInput): Record<string, string> {
      const { body } = checkSignInput(input);
      checkBodyToSign(body);
      return { [GITHUB_SIGNATURE_HEADER]: PREFIX + hmacSha256(signingKey, '', body, 'hex') };
    },
    verify(body: unknown, headers: HeadersInput): VerifiedWebhook {
      try {
        checkReceivedBody(body, maxBodyBytes);
        const header = readHeader(headers, GITHUB_SIGNATURE_HEADER);
        if (header === undefined) {
          throw verificationError('HOOKS_ERR_SIGNATURE_HEADERS', 'Missing required headers');
        }
        if (!header.startsWith(PREFIX)) {
          throw verificationError(
            'HOOKS_ERR_SIGNATURE_HEADERS',
            'Invalid Signature Headers: expected sha256=',
          );
        }
        if (!hmacMatchesAny(keys, '', body, [header.slice(PREFIX.length)])) {
          throw verificationError('HOOKS_ERR_SIGNATURE_MISMATCH', 'No matching signature found');
        }
        return { id: undefined, timestamp: undefined };
      } catch (error) {
        throw asVerificationError(error);
      }
    },
  });
}
