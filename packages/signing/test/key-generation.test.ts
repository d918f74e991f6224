import * as reference from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSecret, Webhook } from '../src/index.js';

describe('generateSecret', () => {
  it('returns whsec_ + base64 of 32 random bytes by default', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
  });

  it.each([24, 32, 64])('returns %i bytes when asked', (bytes) => {
    expect(Buffer.from(generateSecret(bytes).slice(6), 'base64')).toHaveLength(bytes);
  });

  it('makes secrets both we and standardwebhooks accept', () => {
    const secret = generateSecret(24);
    const at = new Date(1_700_000_000_000);
    expect(new Webhook(secret).sign('msg_gen', at, '{}')).toBe(
      new reference.Webhook(secret).sign('msg_gen', at, '{}'),
    );
  });
});
