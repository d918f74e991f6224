import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@hooks/app-shared';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type TestDatabase } from './support/mock-harness.js';

describe('request log lines of the mock server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mock-request-log-'));
  const database: TestDatabase = { kind: 'sqlite', url: `sqlite:${join(dir, 'mock.sqlite')}` };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('never show secrets a client put in the query string, and keep the other parameters', async () => {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'debug', pretty: false, destination });
    const server = await startServer(database, {}, { logger });
    try {
      await server.call('GET', '/api/v2/campaigns?access_token=Tok3nInTheUrl&limit=5');
      await server.call(
        'POST',
        '/oauth2/v1/token?client_secret=S3cretInTheUrl&grant_type=client_credentials',
      );
      await server.api('GET', '/api/v2/campaigns?limit=7&token=An0therTok3n');
    } finally {
      await server.close();
    }
    const output = chunks.join('');
    for (const secret of ['Tok3nInTheUrl', 'S3cretInTheUrl', 'An0therTok3n'])
      expect(output).not.toContain(secret);
    const urls = output
      .split('\n')
      .filter((line) => line.includes('"incoming request"'))
      .map((line) => (JSON.parse(line) as { req: { url: string } }).req.url);
    expect(urls).toEqual(
      expect.arrayContaining([
        '/api/v2/campaigns?access_token=[redacted]&limit=5',
        '/oauth2/v1/token?client_secret=[redacted]&grant_type=client_credentials',
        '/api/v2/campaigns?limit=7&token=[redacted]',
      ]),
    );
  });
});
