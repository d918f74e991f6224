import { WebhookVerificationError } from '@hooks/signing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createWebhookScheme,
  generateWebhookSecret,
  SIGNATURE_SCHEME_NAMES,
  WEBHOOK_ID_HEADER,
} from '../src/index.js';

// The apps sign through createWebhookScheme: @hooks/signing's scheme plus a webhook-id header for the schemes
// that do not sign one. The wrapper must keep verify's contract: our error only, never a false accept.

const name = fc.constantFrom(...SIGNATURE_SCHEME_NAMES);
const body = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
);
const id = fc.stringMatching(/^evt_[A-Za-z0-9]{1,30}$/);

function refused(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return 'accepted';
}

describe("fuzz: the apps' signing wrapper", () => {
  it('signs with a webhook-id header, verifies what it signed, refuses another secret and odd input', () => {
    fc.assert(
      fc.property(
        name,
        body,
        id,
        fc.anything(),
        fc.anything(),
        (scheme, text, eventId, oddBody, oddHeaders) => {
          const secret = generateWebhookSecret(scheme);
          const wrapper = createWebhookScheme(scheme, secret);
          const headers = wrapper.sign({ id: eventId, timestamp: new Date(), body: text });
          expect(headers[WEBHOOK_ID_HEADER]).toBe(eventId);
          wrapper.verify(text, headers);
          const stranger = createWebhookScheme(scheme, generateWebhookSecret(scheme));
          expect(refused(() => stranger.verify(text, headers))).toBeInstanceOf(WebhookVerificationError);
          expect(refused(() => wrapper.verify(oddBody as string, oddHeaders as never))).toBeInstanceOf(
            WebhookVerificationError,
          );
          expect(refused(() => wrapper.verify(`${text} `, headers))).toBeInstanceOf(WebhookVerificationError);
        },
      ),
      { numRuns: 300 },
    );
  });
});
