import { describe, expect, it } from 'vitest';
import {
  createCampaignFlowScheme,
  createGitHubScheme,
  createStandardWebhooksScheme,
  generateEd25519KeyPair,
  generateSecret,
  Webhook,
} from '../src/index.js';
import { expectVerificationError } from './helpers.js';

const body = '{"type":"rotation"}';
const input = { id: 'msg_rotate', timestamp: new Date(), body };

describe('key rotation: sign with old and new, verify with either', () => {
  it('Standard Webhooks: one header with a v1 entry per secret; each receiver verifies', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const sender = createStandardWebhooksScheme({ secrets: [newSecret, oldSecret] });
    const headers = sender.sign(input);
    const entries = headers['webhook-signature']!.split(' ');
    expect(entries).toHaveLength(2);
    expect(entries.every((entry) => entry.startsWith('v1,'))).toBe(true);
    expect(entries[0]).toBe(new Webhook(newSecret).sign(input.id, input.timestamp, body));
    expect(entries[1]).toBe(new Webhook(oldSecret).sign(input.id, input.timestamp, body));

    for (const secret of [oldSecret, newSecret]) {
      expect(new Webhook(secret).verify(body, headers)).toEqual({ type: 'rotation' });
    }
    expectVerificationError(
      () => new Webhook(generateSecret()).verify(body, headers),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
  });

  it('Standard Webhooks: a receiver holding old and new secrets accepts a sender on either', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const receiver = new Webhook([newSecret, oldSecret]);
    const receiverScheme = createStandardWebhooksScheme({ secret: newSecret, secrets: [oldSecret] });
    for (const secret of [oldSecret, newSecret]) {
      const headers = createStandardWebhooksScheme({ secret }).sign(input);
      expect(receiver.verify(body, headers)).toEqual({ type: 'rotation' });
      expect(receiverScheme.verify(body, headers).id).toBe('msg_rotate');
    }
    const stranger = createStandardWebhooksScheme({ secret: generateSecret() }).sign(input);
    expectVerificationError(() => receiver.verify(body, stranger), 'HOOKS_ERR_SIGNATURE_MISMATCH');
  });

  it('Standard Webhooks: HMAC and Ed25519 keys side by side (v1 and v1a in one header)', () => {
    const hmacSecret = generateSecret();
    const pair = generateEd25519KeyPair();
    const headers = new Webhook([hmacSecret, pair.secretKey]).sign(input.id, input.timestamp, body);
    expect(headers).toMatch(/^v1,\S+ v1a,\S+$/);
    const full = {
      'webhook-id': input.id,
      'webhook-timestamp': String(Math.floor(input.timestamp.getTime() / 1000)),
    };
    expect(new Webhook(hmacSecret).verify(body, { ...full, 'webhook-signature': headers })).toBeDefined();
    expect(new Webhook(pair.publicKey).verify(body, { ...full, 'webhook-signature': headers })).toBeDefined();
  });

  it('CampaignFlow: one v1= entry per secret; either secret verifies', () => {
    const sender = createCampaignFlowScheme({ secrets: ['new-secret', 'old-secret'] });
    const headers = sender.sign(input);
    expect(headers['x-webhook-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    for (const secret of ['old-secret', 'new-secret']) {
      expect(createCampaignFlowScheme({ secret }).verify(body, headers).timestamp).toBeInstanceOf(Date);
    }
    const receiver = createCampaignFlowScheme({ secrets: ['new-secret', 'old-secret'] });
    expect(() =>
      receiver.verify(body, createCampaignFlowScheme({ secret: 'old-secret' }).sign(input)),
    ).not.toThrow();
    expectVerificationError(
      () => createCampaignFlowScheme({ secret: 'other' }).verify(body, headers),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
  });

  it('GitHub: signs with the first secret, verifies against any', () => {
    const sender = createGitHubScheme({ secrets: ['new-secret', 'old-secret'] });
    const headers = sender.sign(input);
    expect(headers).toEqual(createGitHubScheme({ secret: 'new-secret' }).sign(input));
    const receiver = createGitHubScheme({ secrets: ['new-secret', 'old-secret'] });
    expect(() =>
      receiver.verify(body, createGitHubScheme({ secret: 'old-secret' }).sign(input)),
    ).not.toThrow();
    expect(() => receiver.verify(body, headers)).not.toThrow();
    expectVerificationError(
      () => receiver.verify(body, createGitHubScheme({ secret: 'other' }).sign(input)),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
  });
});
