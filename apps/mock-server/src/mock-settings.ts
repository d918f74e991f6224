import {
  type AppConfig,
  booleanValue,
  defineSetting,
  integerValue,
  type LoadedConfig,
  loadConfig,
  quoteValue,
  type SettingsSource,
  settingError,
} from '@hooks/app-shared';

/** The mock server's settings beyond the shared ones. */
export const MOCK_SERVER_SETTINGS = {
  port: defineSetting<number>({
    env: 'PORT',
    flag: 'port',
    description: 'HTTP port (0 picks a free one)',
    defaultText: '4010',
    parse: (raw, context) => integerValue(raw, context, { min: 0, max: 65535, fallback: 4010 }),
  }),
  host: defineSetting<string>({
    env: 'HOST',
    flag: 'host',
    description: 'interface to listen on (0.0.0.0 for every interface)',
    defaultText: '127.0.0.1',
    parse: (raw, context) => {
      if (raw === undefined) return '127.0.0.1';
      if (!/^[A-Za-z0-9.:-]{1,253}$/.test(raw)) {
        throw settingError(context.name, `must be a host name or an IP address, got ${quoteValue(raw)}`);
      }
      return raw;
    },
  }),
  embeddedWorker: defineSetting<boolean>({
    env: 'HOOKS_EMBEDDED_WORKER',
    flag: 'embedded-worker',
    description: 'deliver retries and queued events in this process (off when hooks-worker runs)',
    defaultText: 'on',
    parse: (raw, context) => booleanValue(raw, context, true),
  }),
};

/** The mock server's configuration: the shared settings plus port, host and the embedded worker switch. */
export type MockServerConfig = AppConfig<typeof MOCK_SERVER_SETTINGS>;

/**
 * Reads the mock server's configuration from flags and the environment (flags win). Throws
 * `ConfigurationError` with one line naming the bad setting.
 *
 * @example
 * const { config, help } = loadMockServerConfig({ argv: process.argv.slice(2), env: process.env });
 */
export function loadMockServerConfig(source: SettingsSource = {}): LoadedConfig<typeof MOCK_SERVER_SETTINGS> {
  return loadConfig({ ...source, extra: MOCK_SERVER_SETTINGS });
}
