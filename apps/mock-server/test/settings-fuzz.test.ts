import { SHARED_SETTINGS } from '@hooks/app-shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectConfigOrClearError } from '../../shared/test/support/config-outcome.js';
import {
  junk,
  type Secrets,
  scenario,
  sharedValues,
  wasGiven,
} from '../../shared/test/support/config-scenarios.js';
import { loadMockServerConfig, MOCK_SERVER_SETTINGS } from '../src/index.js';

const TABLE = { ...SHARED_SETTINGS, ...MOCK_SERVER_SETTINGS };
const flagOf = (env: string) => Object.values(TABLE).find((spec) => spec.env === env)?.flag;

function mockValues(secrets: Secrets): Record<string, fc.Arbitrary<string>> {
  return {
    ...sharedValues(secrets),
    PORT: fc.oneof(fc.constantFrom('0', '4010', '65535', '65536', '-1', 'http'), junk),
    HOST: fc.oneof(fc.constantFrom('127.0.0.1', '::1', '0.0.0.0', 'local host', 'a/b'), junk),
    HOOKS_EMBEDDED_WORKER: fc.oneof(fc.constantFrom('on', 'OFF', '0', 'maybe'), junk),
  };
}

describe('fuzz: the mock server configuration (environment and flags)', () => {
  it('is a configuration or one clear error naming a setting that was given, never a secret', () => {
    fc.assert(
      fc.property(scenario(mockValues, flagOf), ({ secrets, env, argv }) => {
        const error = expectConfigOrClearError(
          () => loadMockServerConfig({ env, argv, cwd: '/srv/mock' }),
          Object.values(secrets),
        );
        if (error === undefined) return;
        const field = String(error.details?.field);
        expect(wasGiven(field, env, argv), `${field} was not given: ${error.message}`).toBe(true);
      }),
      { numRuns: 800 },
    );
  });

  it('reads its own settings when they are good', () => {
    const { config } = loadMockServerConfig({
      env: { PORT: '0', HOST: '::1', HOOKS_EMBEDDED_WORKER: 'off' },
      argv: ['--port=8080'],
      cwd: '/srv/mock',
    });
    expect(config).toMatchObject({ port: 8080, host: '::1', embeddedWorker: false });
  });
});
