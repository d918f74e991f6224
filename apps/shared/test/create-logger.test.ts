import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactUrlQuery } from '../src/create-logger.js';
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
      headers: { authorization: '[redacted]' },
    });
    // A request is logged as method, URL, host and client address: never its headers.
    expect(line?.req).not.toHaveProperty('headers');
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

describe('request log lines', () => {
  it('redact the values of secret-looking query parameters and keep the rest', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ pretty: false, destination: stream });
    logger.info(
      {
        req: {
          method: 'GET',
          url: '/oauth?client_secret=s3cr3t&limit=5&access%5Ftoken=t0k&api-key=k3y&cursor=abc',
          host: 'localhost',
          ip: '127.0.0.1',
        },
      },
      'incoming request',
    );
    expect(lines()[0]?.req).toEqual({
      method: 'GET',
      url: '/oauth?client_secret=[redacted]&limit=5&access%5Ftoken=[redacted]&api-key=[redacted]&cursor=abc',
      host: 'localhost',
      remoteAddress: '127.0.0.1',
    });
  });

  it('never show a value given under a secret-looking key, whatever it holds', () => {
    const key = fc.constantFrom('client_secret', 'token', 'password', 'code', 'signature', 'AUTHORIZATION');
    const value = fc.string({ minLength: 6 }).filter((text) => !/[&#]/.test(text) && text.trim().length >= 6);
    fc.assert(
      fc.property(key, value, fc.string(), (name, secret, path) => {
        const url = `/${encodeURIComponent(path)}?a=1&${name}=${encodeURIComponent(secret)}&b=2`;
        // Exactly the value is replaced; the path is kept as it was (it may even hold the same text by chance).
        expect(redactUrlQuery(url)).toBe(`/${encodeURIComponent(path)}?a=1&${name}=[redacted]&b=2`);
      }),
    );
    expect(redactUrlQuery('/plain/path')).toBe('/plain/path');
  });
});
