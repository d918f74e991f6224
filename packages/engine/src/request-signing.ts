import { createStandardWebhooksScheme, type SignatureScheme } from '@hooks/signing';
import { version } from '../package.json';
import type { DispatcherOptions } from './dispatcher-options.js';
import { secretVariants } from './logger.js';
import { fail, objectOption } from './option-checks.js';

/** The `user-agent` every request carries. */
export const USER_AGENT = `hooks/${version}`;

const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The signing scheme from `scheme` or `secret` (exclusive), and the secret's variants to redact. */
export function resolveScheme(options: Pick<DispatcherOptions, 'scheme' | 'secret'>): {
  scheme: SignatureScheme | undefined;
  secrets: string[];
} {
  if (options.scheme !== undefined && options.secret !== undefined)
    fail('scheme', 'and secret are exclusive: pass one');
  if (options.scheme !== undefined) {
    if (
      typeof options.scheme !== 'object' ||
      options.scheme === null ||
      typeof options.scheme.sign !== 'function'
    ) {
      fail('scheme', 'must be a @hooks/signing scheme (an object with sign())');
    }
    return { scheme: options.scheme, secrets: [] };
  }
  if (options.secret === undefined) return { scheme: undefined, secrets: [] };
  if (typeof options.secret !== 'string' || options.secret.trim() === '')
    fail('secret', 'must be a non-empty string');
  const secrets = secretVariants(options.secret);
  try {
    return { scheme: createStandardWebhooksScheme({ secret: options.secret }), secrets };
  } catch (error) {
    fail('secret', 'is not a valid Standard Webhooks secret (expected whsec_<base64>)', error);
  }
}

function signatureHeaderNames(scheme: SignatureScheme): string[] {
  try {
    return Object.keys(scheme.sign({ id: 'evt_probe', timestamp: new Date(), body: '{}' })).map((name) =>
      name.toLowerCase(),
    );
  } catch (error) {
    fail('scheme', 'cannot sign (is it a verify-only key?)', error);
  }
}

/** The caller's extra headers, lower-cased and frozen; refuses reserved and signature header names. */
export function resolveHeaders(
  input: Record<string, string> | undefined,
  scheme: SignatureScheme | undefined,
) {
  const headers: Record<string, string> = {};
  const reserved = new Set([
    ...RESERVED_HEADERS,
    ...(scheme === undefined ? [] : signatureHeaderNames(scheme)),
  ]);
  for (const [name, value] of Object.entries(objectOption(input, 'headers'))) {
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name)) fail('headers', `has an invalid header name ${JSON.stringify(name)}`);
    if (reserved.has(lower))
      fail('headers', `may not set ${lower} (set by the engine or the signing scheme)`);
    if (typeof value !== 'string' || /[\r\n\0]/.test(value))
      fail('headers', `value of ${lower} must be a single-line string`);
    headers[lower] = value;
  }
  return Object.freeze(headers);
}
