import { describe, expect, it } from 'vitest';
import { HooksError, InvalidInputError } from '../../core/src/errors.js';
import {
  createCampaignFlowScheme,
  createGitHubScheme,
  createStandardWebhooksScheme,
  generateSecret,
  type SignatureScheme,
  SigningError,
  SigningInputError,
  SigningSecretError,
  Webhook,
  WebhookVerificationError,
} from '../src/index.js';
import { catchSigningError, expectVerificationError, SPEC, specHeaders } from './helpers.js';

const SECRET = 'whsec_c2VjcmV0LXRoYXQtbXVzdC1uZXZlci1sZWFrLTEyMzQ1';
const SECRET_TEXT = 'secret-that-must-never-leak';
const schemes: SignatureScheme[] = [
  createStandardWebhooksScheme({ secret: SECRET, maxBodyBytes: 1024 }),
  createCampaignFlowScheme({ secret: SECRET_TEXT, maxBodyBytes: 1024 }),
  createGitHubScheme({ secret: SECRET_TEXT, maxBodyBytes: 1024 }),
];

function expectNoSecret(error: Error): void {
  for (const text of [SECRET, SECRET.slice(6), SECRET_TEXT, 'c2VjcmV0']) {
    expect(error.message).not.toContain(text);
    expect(String(error.stack)).not.toContain(text);
  }
}

const BAD_BODIES: unknown[] = [
  undefined,
  null,
  42,
  true,
  {},
  { a: 1 },
  [1, 2],
  new ArrayBuffer(4),
  Symbol('x'),
  () => 1,
];
const BAD_HEADERS: unknown[] = [undefined, null, 42, 'webhook-id: x', true, Symbol('h')];

describe('bad input throws only our errors, without the secret', () => {
  it.each(schemes.map((scheme) => [scheme.name, scheme] as const))('%s: bad body types', (_name, scheme) => {
    for (const body of BAD_BODIES) {
      const error = expectVerificationError(
        () => scheme.verify(body as string, {}),
        'HOOKS_ERR_SIGNATURE_PAYLOAD',
      );
      expectNoSecret(error);
    }
  });

  it.each(schemes.map((scheme) => [scheme.name, scheme] as const))(
    '%s: bad header containers',
    (_name, scheme) => {
      for (const headers of BAD_HEADERS) {
        const error = expectVerificationError(
          () => scheme.verify('{}', headers as Headers),
          'HOOKS_ERR_SIGNATURE_HEADERS',
        );
        expectNoSecret(error);
      }
    },
  );

  it.each(schemes.map((scheme) => [scheme.name, scheme] as const))(
    '%s: bad header values',
    (_name, scheme) => {
      const name = Object.keys(scheme.sign({ id: 'msg_1', timestamp: new Date(), body: '{}' })).at(-1)!;
      for (const value of [42, {}, [1], [null], true, 'x'.repeat(9000)]) {
        const error = expectVerificationError(
          () => scheme.verify('{}', { [name]: value } as never),
          'HOOKS_ERR_SIGNATURE_HEADERS',
        );
        expectNoSecret(error);
      }
    },
  );

  it.each(schemes.map((scheme) => [scheme.name, scheme] as const))(
    '%s: a body over maxBodyBytes',
    (_name, scheme) => {
      const headers = scheme.sign({ id: 'msg_1', timestamp: new Date(), body: '{}' });
      for (const body of ['x'.repeat(1025), 'é'.repeat(513), Buffer.alloc(1025), new Uint8Array(2048)]) {
        const error = expectVerificationError(
          () => scheme.verify(body, headers),
          'HOOKS_ERR_SIGNATURE_PAYLOAD',
        );
        expect(error.message).toContain('1024');
      }
      // At the limit it is hashed (and here simply does not match).
      expectVerificationError(() => scheme.verify('x'.repeat(1024), headers), 'HOOKS_ERR_SIGNATURE_MISMATCH');
      expectVerificationError(() => scheme.verify('é'.repeat(512), headers), 'HOOKS_ERR_SIGNATURE_MISMATCH');
    },
  );

  it('the default cap is 20 MiB', () => {
    const wh = new Webhook(SECRET);
    const huge = Buffer.alloc(20 * 1024 * 1024 + 1);
    expectVerificationError(() => wh.verify(huge, specHeaders()), 'HOOKS_ERR_SIGNATURE_PAYLOAD');
  });

  it('a Proxy or throwing getter for headers becomes our error, with the cause kept', () => {
    const boom = new Error('getter exploded');
    const headers = new Proxy(
      {},
      {
        get() {
          throw boom;
        },
        has() {
          throw boom;
        },
        getOwnPropertyDescriptor() {
          throw boom;
        },
      },
    );
    for (const scheme of schemes) {
      const error = expectVerificationError(
        () => scheme.verify('{}', headers),
        'HOOKS_ERR_SIGNATURE_HEADERS',
      );
      expect(error.cause).toBe(boom);
    }
    const webhook = new Webhook(SECRET);
    expectVerificationError(() => webhook.verify('{}', headers), 'HOOKS_ERR_SIGNATURE_HEADERS');
  });

  it('empty, malformed and wrongly typed secrets are refused with HOOKS_ERR_SIGNATURE_SECRET', () => {
    const bad: unknown[] = [
      '',
      'whsec_',
      'whsec_not base64!',
      'whsec_$$$$',
      new Uint8Array(0),
      42,
      null,
      undefined,
      {},
    ];
    for (const secret of bad) {
      const error = catchSigningError(() => new Webhook(secret as string));
      expect(error).toBeInstanceOf(SigningSecretError);
      expect(error.code).toBe('HOOKS_ERR_SIGNATURE_SECRET');
      expect(error).not.toBeInstanceOf(WebhookVerificationError);
      const scheme = catchSigningError(() => createStandardWebhooksScheme({ secret: secret as string }));
      expect(scheme).toBeInstanceOf(SigningError);
    }
    for (const secret of ['', new Uint8Array(0), 7]) {
      expect(catchSigningError(() => createCampaignFlowScheme({ secret: secret as string })).code).toBe(
        'HOOKS_ERR_SIGNATURE_SECRET',
      );
      expect(catchSigningError(() => createGitHubScheme({ secret: secret as string })).code).toBe(
        'HOOKS_ERR_SIGNATURE_SECRET',
      );
    }
    const error = catchSigningError(() => new Webhook(`whsec_${SECRET_TEXT}!`));
    expectNoSecret(error);
  });

  it('bad options name the field', () => {
    const cases: [() => unknown, string][] = [
      [() => createStandardWebhooksScheme({}), 'secret'],
      [() => createStandardWebhooksScheme({ secrets: [] }), 'secret'],
      [() => createStandardWebhooksScheme({ secrets: 'x' as never }), 'secrets'],
      [() => createStandardWebhooksScheme(null as never), 'options'],
      [() => createStandardWebhooksScheme({ secret: SECRET, toleranceSeconds: -1 }), 'toleranceSeconds'],
      [
        () => createStandardWebhooksScheme({ secret: SECRET, toleranceSeconds: Number.NaN }),
        'toleranceSeconds',
      ],
      [() => createStandardWebhooksScheme({ secret: SECRET, now: 5 as never }), 'now'],
      [() => createCampaignFlowScheme({ secret: 'x', maxBodyBytes: 0 }), 'maxBodyBytes'],
      [() => createCampaignFlowScheme({ secret: 'x', headerName: 'Bad Header' }), 'headerName'],
      [() => createGitHubScheme({ secret: 'x', maxBodyBytes: Number.NaN }), 'maxBodyBytes'],
      [() => new Webhook([]), 'secret'],
      [() => generateSecret(8), 'byteLength'],
    ];
    for (const [fn, field] of cases) {
      const error = catchSigningError(fn);
      expect(error).toBeInstanceOf(SigningInputError);
      expect(error.details?.field).toBe(field);
    }
  });

  it('bad values to sign are refused with the field named', () => {
    const wh = new Webhook(SECRET);
    const cases: [() => unknown, string][] = [
      [() => wh.sign('msg_1', new Date(Number.NaN), '{}'), 'timestamp'],
      [() => wh.sign('msg_1', 1614265330 as never, '{}'), 'timestamp'],
      [() => wh.sign('msg_1', new Date(-1000), '{}'), 'timestamp'],
      [() => wh.sign('msg_1', new Date(), 42 as never), 'body'],
      [() => wh.sign('msg_1', new Date(), { a: 1 } as never), 'body'],
      [() => wh.sign('', new Date(), '{}'), 'id'],
      [() => wh.sign('msg.1', new Date(), '{}'), 'id'],
      [() => wh.sign('msg 1', new Date(), '{}'), 'id'],
      [() => wh.sign('msg\n1', new Date(), '{}'), 'id'],
      [() => wh.sign('x'.repeat(257), new Date(), '{}'), 'id'],
      [() => wh.sign(7 as never, new Date(), '{}'), 'id'],
    ];
    for (const scheme of schemes) {
      cases.push([() => scheme.sign(null as never), 'input']);
      cases.push([() => scheme.sign({ id: 'msg_1', timestamp: new Date(), body: 5 as never }), 'body']);
    }
    cases.push([() => schemes[0]!.sign({ id: 'a.b', timestamp: new Date(), body: '' }), 'id']);
    cases.push([() => schemes[1]!.sign({ id: 'x', timestamp: 'now' as never, body: '' }), 'timestamp']);
    for (const [fn, field] of cases) {
      const error = catchSigningError(fn);
      expect(error).toBeInstanceOf(SigningInputError);
      expect(error.details?.field).toBe(field);
    }
  });

  it('errors carry the @hooks brand: core recognises them', () => {
    const verification = expectVerificationError(
      () => new Webhook(SPEC.secret).verify(SPEC.payload, specHeaders()),
      'HOOKS_ERR_SIGNATURE_EXPIRED',
    );
    expect(HooksError.isInstance(verification)).toBe(true);
    expect((verification as unknown as Record<symbol, unknown>)[Symbol.for('@hooks/error')]).toBe(true);
    expect(WebhookVerificationError.isInstance(verification)).toBe(true);
    expect(SigningSecretError.isInstance(verification)).toBe(false);

    const input = catchSigningError(() => generateSecret(1));
    expect(HooksError.isInstance(input)).toBe(true);
    expect(InvalidInputError.isInstance(input)).toBe(true);

    const secret = catchSigningError(() => new Webhook(''));
    expect(HooksError.isInstance(secret)).toBe(true);
    expect(SigningSecretError.isInstance(secret)).toBe(true);
    expect(WebhookVerificationError.isInstance(secret)).toBe(false);

    const plain = new WebhookVerificationError('custom');
    expect(plain.code).toBe('HOOKS_ERR_SIGNATURE_MISMATCH');
    expect(plain.name).toBe('WebhookVerificationError');
    expect(WebhookVerificationError.isInstance(new Error('x'))).toBe(false);
  });
});
