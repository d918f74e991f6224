import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStandardWebhooksScheme,
  generateSecret,
  Webhook,
  WebhookVerificationError,
} from '../src/index.js';

// The README's receiver, on a real socket: it verifies Node's req.headers and the raw body.
const secret = generateSecret();
const received: unknown[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  const wh = new Webhook(secret);
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      received.push(wh.verify(Buffer.concat(chunks), req.headers));
      res.writeHead(204).end();
    } catch (error) {
      res
        .writeHead(error instanceof WebhookVerificationError ? 400 : 500)
        .end(String((error as Error).message));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function post(body: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  await response.arrayBuffer();
  return response.status;
}

describe('an HTTP receiver verifying with Webhook', () => {
  it('accepts what the sender scheme signed', async () => {
    const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_1', note: 'ünïcödé' } });
    const headers = createStandardWebhooksScheme({ secret }).sign({
      id: 'evt_http_1',
      timestamp: new Date(),
      body,
    });
    expect(await post(body, headers)).toBe(204);
    expect(received.at(-1)).toEqual(JSON.parse(body));
  });

  it('refuses a tampered body, a wrong secret and missing headers with 400', async () => {
    const body = '{"a":1}';
    const headers = createStandardWebhooksScheme({ secret }).sign({
      id: 'evt_http_2',
      timestamp: new Date(),
      body,
    });
    expect(await post('{"a":2}', headers)).toBe(400);
    const other = createStandardWebhooksScheme({ secret: generateSecret() }).sign({
      id: 'evt_http_3',
      timestamp: new Date(),
      body,
    });
    expect(await post(body, other)).toBe(400);
    expect(await post(body, {})).toBe(400);
  });
});
