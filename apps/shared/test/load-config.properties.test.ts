import { ConfigurationError } from '@hooks/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig, SHARED_SETTINGS } from '../src/index.js';

const cwd = '/srv/app';

/** Runs `work`; it may succeed or throw a one-line ConfigurationError, nothing else. */
function onlyConfigurationErrors(work: () => unknown): ConfigurationError | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    if (!ConfigurationError.isInstance(error)) throw error;
    expect((error as Error).message).not.toMatch(/[\r\n]/);
    return error as ConfigurationError;
  }
}

// Strings with the characters that tend to break parsers: separators, quotes, escapes, unicode, NUL.
const awkward = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.stringMatching(/^[-0-9a-z:/@?=,.%_ \\]{0,60}$/),
  fc.constantFrom(
    '0',
    '-1',
    '1e3',
    'NaN',
    'Infinity',
    '0x10',
    ':memory:',
    'sqlite:',
    'postgres://',
    '\u0000',
  ),
);

describe('loadConfig never fails with anything but a ConfigurationError', () => {
  for (const [key, spec] of Object.entries(SHARED_SETTINGS)) {
    it(`for random ${spec.env} values (environment and flag)`, () => {
      fc.assert(
        fc.property(awkward, fc.boolean(), (value, asFlag) => {
          const source = asFlag
            ? { argv: [`--${spec.flag}=${value}`], env: {} }
            : { argv: [], env: { [spec.env]: value } };
          onlyConfigurationErrors(() => loadConfig({ ...source, cwd }));
        }),
        { numRuns: 300 },
      );
      expect(key in SHARED_SETTINGS).toBe(true);
    });
  }

  it('for random combinations of every setting', () => {
    const env = fc.record(
      Object.fromEntries(Object.values(SHARED_SETTINGS).map((spec) => [spec.env, awkward])),
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(env, (values) => {
        onlyConfigurationErrors(() => loadConfig({ argv: [], env: values as Record<string, string>, cwd }));
      }),
      { numRuns: 300 },
    );
  });

  it('for random command lines', () => {
    const arg = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc
        .constantFrom(...Object.values(SHARED_SETTINGS).map((spec) => `--${spec.flag}`))
        .chain((flag) => fc.string({ maxLength: 30 }).map((value) => `${flag}=${value}`)),
      fc.constantFrom('--', '-', '-h', '--help', '--help=yes', '---x', '--no-color'),
    );
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 6 }), (argv) => {
        onlyConfigurationErrors(() => loadConfig({ argv, env: {}, cwd }));
      }),
      { numRuns: 500 },
    );
  });
});

describe('secret settings are never echoed', () => {
  const secretSpecs = Object.values(SHARED_SETTINGS).filter((spec) => spec.secret === true);

  it('covers the secret, the webhook URL and the database URL', () => {
    expect(secretSpecs.map((spec) => spec.env).sort()).toEqual([
      'HOOKS_DATABASE_URL',
      'HOOKS_WEBHOOK_SECRET',
      'HOOKS_WEBHOOK_URL',
    ]);
  });

  for (const spec of secretSpecs) {
    it(`in errors about ${spec.env}`, () => {
      const token = fc.stringMatching(/^[A-Za-z0-9]{16,40}$/);
      const shapes = (t: string) => [
        t,
        `postgres://user:${t}@db/x?schema=${t}`,
        `https://x.test/${t}`,
        `sqlite:${t}\u0000`,
        `mysql://u:${t}@h/x`,
      ];
      fc.assert(
        fc.property(
          token,
          fc.nat({ max: 4 }),
          fc.constantFrom('campaignflow', 'standard-webhooks', 'github'),
          (t, shape, scheme) => {
            const value = shapes(t)[shape]!;
            const error = onlyConfigurationErrors(() =>
              loadConfig({ argv: [], env: { [spec.env]: value, HOOKS_SIGNATURE_SCHEME: scheme }, cwd }),
            );
            if (error !== undefined) {
              expect(error.message).not.toContain(t);
              expect(JSON.stringify(error.details)).not.toContain(t);
            }
          },
        ),
        { numRuns: 200 },
      );
    });
  }
});
