import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig, SHARED_SETTINGS } from '../src/index.js';
import { expectConfigOrClearError } from './support/config-outcome.js';
import { scenario, sharedValues, wasGiven } from './support/config-scenarios.js';

// load-config.properties.test.ts checks that only one-line ConfigurationErrors come out. Here: whole
// environments and command lines mixing good and bad values, with known secrets inside, must give a config
// or one error that names a setting the user actually gave, and never shows a secret or a password.

const cwd = '/srv/app';

const flagOf = (env: string) => Object.values(SHARED_SETTINGS).find((spec) => spec.env === env)?.flag;

describe('fuzz: shared settings from whole environments and command lines', () => {
  it('give a configuration or one clear error naming a setting that was given, never a secret', () => {
    fc.assert(
      fc.property(scenario(sharedValues, flagOf), ({ secrets, env, argv }) => {
        const error = expectConfigOrClearError(() => loadConfig({ env, argv, cwd }), Object.values(secrets));
        if (error !== undefined) {
          const field = String(error.details?.field);
          expect(wasGiven(field, env, argv), `${field} was not given: ${error.message}`).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a configuration that loads never shows the database password when serialised', () => {
    fc.assert(
      fc.property(scenario(sharedValues, flagOf), ({ secrets, env, argv }) => {
        let json: string;
        try {
          json = JSON.stringify(loadConfig({ env, argv, cwd }).config.database);
        } catch {
          return;
        }
        expect(json).not.toContain(secrets.password);
      }),
      { numRuns: 500 },
    );
  });
});
