import { describe, expect, it } from 'vitest';
import { loadMockServerConfig } from '../src/index.js';

describe('loadMockServerConfig', () => {
  it('defaults to 127.0.0.1:4010 with the embedded worker on', () => {
    const { config } = loadMockServerConfig({ argv: [], env: {}, cwd: '/srv' });
    expect(config).toMatchObject({
      port: 4010,
      host: '127.0.0.1',
      embeddedWorker: true,
      deliveryMode: 'async',
    });
  });

  it('reads PORT, HOST and HOOKS_EMBEDDED_WORKER, flags first', () => {
    const { config } = loadMockServerConfig({
      argv: ['--port=8080', '--embedded-worker=off'],
      env: { PORT: '9000', HOST: '0.0.0.0', HOOKS_EMBEDDED_WORKER: 'on' },
    });
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', embeddedWorker: false });
  });

  it('refuses bad values in one line naming the setting', () => {
    expect(() => loadMockServerConfig({ argv: [], env: { PORT: '70000' } })).toThrow(
      'PORT must be an integer from 0 to 65535, got "70000"',
    );
    expect(() => loadMockServerConfig({ argv: ['--host=bad host!'], env: {} })).toThrow(
      '--host must be a host name or an IP address, got "bad host!"',
    );
    expect(() => loadMockServerConfig({ argv: [], env: { HOOKS_EMBEDDED_WORKER: 'sometimes' } })).toThrow(
      'HOOKS_EMBEDDED_WORKER must be on or off (true/false, yes/no, 1/0), got "sometimes"',
    );
  });
});
