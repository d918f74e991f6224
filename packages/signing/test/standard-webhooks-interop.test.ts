import { randomBytes } from 'node:crypto';
import * as reference from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { createStandardWebhooksScheme, generateSecret, Webhook } from '../src/index.js';
import { expectVerificationError } from './helpers.js';

const PAYLOADS = [
  '{"type":"invoice.paid","data":{"id":"in_1","amount":4200}}',
  '{"emoji":"😀 ü ß 中文","nested":{"a":[1,2,3]}}',
  JSON.stringify({ big: 'x'.repeat(70_000) }),
  '[]',
];

/** The three headers for a message signed by `signer` (ours or the reference: same `sign` signature). */
function headersFrom(
  signer: { sign(id: string, at: Date, payload: string): string },
  id: string,
  payload: string,
) {
  const now = new Date();
  return {
    'Webhook-Id': id,
    'Webhook-Timestamp': String(Math.floor(now.getTime() / 1000)),
    'Webhook-Signature': signer.sign(id, now, payload),
  };
}

describe('interop with the standardwebhooks package (v1)', () => {
  it('our signatures verify with standardwebhooks', () => {
    const secret = generateSecret();
    const ours = new Webhook(secret);
    const theirs = new reference.Webhook(secret);
    for (const payload of PAYLOADS) {
      const headers = Object.fromEntries(
        Object.entries(headersFrom(ours, 'msg_interop1', payload)).map(([k, v]) => [k.toLowerCase(), v]),
      );
      expect(theirs.verify(payload, headers)).toEqual(JSON.parse(payload));
      expect(theirs.verify(Buffer.from(payload), headers)).toEqual(JSON.parse(payload));
    }
  });

  it('standardwebhooks signatures verify with ours (Webhook and scheme), from strings and Buffers', () => {
    const secret = generateSecret(24);
    const theirs = new reference.Webhook(secret);
    const ours = new Webhook(secret);
    const scheme = createStandardWebhooksScheme({ secret });
    for (const payload of PAYLOADS) {
      const headers = headersFrom(theirs, 'msg_interop2', payload);
      expect(ours.verify(payload, headers)).toEqual(JSON.parse(payload));
      expect(ours.verify(Buffer.from(payload), headers)).toEqual(JSON.parse(payload));
      expect(scheme.verify(payload, headers).id).toBe('msg_interop2');
    }
  });

  it('signs exactly like standardwebhooks for random secrets, ids, times and payloads', () => {
    for (let i = 0; i < 50; i++) {
      const secret = 'whsec_' + randomBytes(24 + (i % 41)).toString('base64');
      const id = 'msg_' + randomBytes(12).toString('hex');
      const at = new Date(1_600_000_000_000 + i * 987_654_321);
      const payload = JSON.stringify({ i, text: randomBytes(i * 7).toString('base64') });
      expect(new Webhook(secret).sign(id, at, payload)).toBe(
        new reference.Webhook(secret).sign(id, at, payload),
      );
    }
  });

  it("matches standardwebhooks' format: 'raw' for string and byte secrets", () => {
    const rawString = 'my raw secret ÿ';
    const rawBytes = randomBytes(32);
    const at = new Date(1_700_000_000_000);
    for (const raw of [rawString, rawBytes]) {
      const ours = new Webhook(raw, { format: 'raw' });
      const theirs = new reference.Webhook(raw, { format: 'raw' });
      expect(ours.sign('msg_raw', at, '{"a":1}')).toBe(theirs.sign('msg_raw', at, '{"a":1}'));
    }
    // Bytes without format: 'raw' are a raw key too.
    expect(new Webhook(rawBytes).sign('msg_raw', at, '{}')).toBe(
      new reference.Webhook(rawBytes, { format: 'raw' }).sign('msg_raw', at, '{}'),
    );
  });

  it('both refuse the same tampered message, with the same error class name', () => {
    const secret = generateSecret();
    const now = new Date();
    const headers = {
      'webhook-id': 'msg_tamper',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign('msg_tamper', now, '{"a":1}'),
    };
    let theirError: unknown;
    try {
      new reference.Webhook(secret).verify('{"a":2}', headers);
    } catch (error) {
      theirError = error;
    }
    expect(theirError).toBeInstanceOf(reference.WebhookVerificationError);
    const ourError = expectVerificationError(
      () => new Webhook(secret).verify('{"a":2}', headers),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
    expect(ourError.name).toBe((theirError as Error).name);
    expect(ourError.message).toBe((theirError as Error).message);
  });
});
