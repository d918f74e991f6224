import type { KeyObject } from 'node:crypto';
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
import { asVerificationError, SigningInputError, verificationError } from './signing-errors.js';
import { checkTolerance, parseUnixSeconds, secondsToSign } from './timestamp-tolerance.js';
import {
  checkOptionsObject,
  collectSecrets,
  normaliseVerifyLimits,
  type SecretsOptions,
  type VerifyLimits,
  type VerifyLimitsOptions,
} from './verify-options.js';

/** Default header of the CampaignFlow (Stripe-style) scheme. */
export const CAMPAIGNFLOW_SIGNATURE_HEADER = 'x-webhook-signature';

/** Options of `createCampaignFlowScheme`. */
export interface CampaignFlowSchemeOptions extends SecretsOptions<SecretInput>, VerifyLimitsOptions {
  /** The header carrying `t=...,v1=...` (default `x-webhook-signature`; `stripe-signature` for Stripe). */
  headerName?: string;
}

/**
 * The CampaignFlow scheme, Stripe's format: `x-webhook-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">`, keyed with the secret's UTF-8 bytes; one `v1=` entry per secret (rotation).
 *
 * @example
 * const scheme = createCampaignFlowScheme({ secret: process.env.WEBHOOK_SECRET! });
 * const headers = scheme.sign({ id: 'evt_01J...', timestamp: new Date(), body });
 * // { 'x-webhook-signature': 't=1614265330,v1=5257a8...' }
 */
export function createCampaignFlowScheme(options: CampaignFlowSchemeOptions): SignatureScheme {
  const checked = checkOptionsObject(options) as CampaignFlowSchemeOptions;
  const keys = collectSecrets(checked).map(parseUtf8Secret);
  const limits = normaliseVerifyLimits(checked);
  const headerName = checkHeaderName(checked.headerName ?? CAMPAIGNFLOW_SIGNATURE_HEADER);
  return Object.freeze({
    name: 'campaignflow',
    sign(input: SignInput): Record<string, string> {
      const { timestamp, body } = checkSignInput(input);
      const seconds = secondsToSign(timestamp);
      checkBodyToSign(body);
      const t = String(seconds);
      const prefix = t + '.';
      let header = 't=' + t;
      for (const key of keys) header += ',v1=' + hmacSha256(key, prefix, body, 'hex');
      return { [headerName]: header };
    },
    verify(body: unknown, headers: HeadersInput): VerifiedWebhook {
      try {
        return verifyCampaignFlow(body, headers, keys, limits, headerName);
      } catch (error) {
        throw asVerificationError(error);
      }
    },
  });
}

function verifyCampaignFlow(
  body: unknown,
  headers: unknown,
  keys: readonly KeyObject[],
  limits: VerifyLimits,
  headerName: string,
): VerifiedWebhook {
  checkReceivedBody(body, limits.maxBodyBytes);
  const header = readHeader(headers, headerName);
  if (header === undefined)
    throw verificationError('HOOKS_ERR_SIGNATURE_HEADERS', 'Missing required headers');
  const { timestamp, signatures } = parseSignatureHeader(header);
  const seconds = parseUnixSeconds(timestamp);
  checkTolerance(seconds, limits);
  if (!hmacMatchesAny(keys, seconds + '.', body, signatures)) {
    throw verificationError('HOOKS_ERR_SIGNATURE_MISMATCH', 'No matching signature found');
  }
  return { id: undefined, timestamp: new Date(seconds * 1000) };
}

function parseSignatureHeader(header: string): { timestamp: string; signatures: string[] } {
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const item of header.split(',')) {
    const part = item.trim();
    const equals = part.indexOf('=');
    const name = part.slice(0, equals);
    if (name === 't') {
      if (timestamp !== undefined) {
        throw verificationError(
          'HOOKS_ERR_SIGNATURE_HEADERS',
          'Invalid Signature Headers: several timestamps',
        );
      }
      timestamp = part.slice(equals + 1);
    } else if (name === 'v1') {
      signatures.push(part.slice(equals + 1));
    }
  }
  if (timestamp === undefined) {
    throw verificationError('HOOKS_ERR_SIGNATURE_HEADERS', 'Invalid Signature Headers: no timestamp');
  }
  return { timestamp, signatures };
}

function checkHeaderName(name: unknown): string {
  if (typeof name !== 'string' || !/^[a-z0-9-]{1,64}$/.test(name)) {
    throw new SigningInputError('headerName', 'headerName must be a lower-case header name');
  }
  return name;
}
