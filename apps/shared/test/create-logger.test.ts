import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.js';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines };
}

describe('createLogger', () => {
  it('writes JSON lines with secrets, passwords, authorization headers and database URLs redacted', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ level: 'info', pretty: false, destination: stream, base: { app: 'test' } });
    logger.info(
      {
        webhookSecret: 'whsec_top-secret',
        secret: 'also-secret',
        password: 'pw',
        databaseUrl: 'postgres://u:pw@h/d',
        config: { webhookSecret: 'nested-secret', connectionString: 'postgres://u:pw@h/d' },
        req: { headers: { authorization: 'Bearer abc', cookie: 'c=1' } },
        headers: { authorization: 'Basic xyz' },
        kept: 'visible',
      },
      'starting',
    );
    logger.debug({}, 'below the level');
    const [line, ...rest] = lines();
    expect(rest).toHaveLength(0);
    expect(line).toMatchObject({
      app: 'test',
      msg: 'starting',
      kept: 'visible',
      webhookSecret: '[redacted]',
      secret: '[redacted]',
      password: '[redacted]',
      databaseUrl: '[redacted]',
      config: { webhookSecret: '[redacted]', connectionString: '[redacted]' },
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
      headers: { authorization: '[redacted]' },
    });
    expect(JSON.stringify(line)).not.toMatch(
      /top-secret|also-secret|nested-secret|Bearer abc|Basic xyz|u:pw/,
    );
  });

  it('honours the level, including silent', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ level: 'silent', pretty: false, destination: stream });
    logger.error({}, 'nothing');
    expect(lines()).toHaveLength(0);
    expect(createLogger({ level: 'warn', pretty: true }).level).toBe('warn');
  });
});
