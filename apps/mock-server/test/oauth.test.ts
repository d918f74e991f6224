import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, type RunningServer, startServer } from './support/mock-harness.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

describeEachDatabase('OAuth client credentials', (database) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(database);
  });
  afterAll(() => server.close());

  it('issues a Bearer token for Basic credentials and grant_type=client_credentials (form)', async () => {
    const response = await server.call('POST', '/oauth2/v1/token', {
      body: 'grant_type=client_credentials',
      headers: { ...form, authorization: basic('any-client', 'any-secret') },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
    });
    const campaigns = await server.call('GET', '/api/v2/campaigns', {
      headers: { authorization: `Bearer ${response.body.access_token}` },
    });
    expect(campaigns.status).toBe(200);
  });

  it('accepts the grant as JSON too', async () => {
    const response = await server.call('POST', '/oauth2/v1/token', {
      body: { grant_type: 'client_credentials' },
      headers: { authorization: basic('c', 's') },
    });
    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('Bearer');
  });

  it('answers 401 without Basic auth, with a WWW-Authenticate header', async () => {
    for (const authorization of [undefined, 'Bearer abc', 'Basic', 'Basic !!!', basic('', 'nouser')]) {
      const response = await server.call('POST', '/oauth2/v1/token', {
        body: 'grant_type=client_credentials',
        headers: authorization === undefined ? form : { ...form, authorization },
      });
      expect(response.status, String(authorization)).toBe(401);
      expect(response.body.error.code).toBe('unauthorized');
      expect(response.headers.get('www-authenticate')).toContain('Basic');
    }
  });

  it('answers 400 without grant_type, and for another grant', async () => {
    const missing = await server.call('POST', '/oauth2/v1/token', {
      body: 'scope=read',
      headers: { ...form, authorization: basic('c', 's') },
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      error: {
        code: 'invalid_request',
        message: 'grant_type is required (grant_type=client_credentials)',
        details: { field: 'grant_type' },
      },
    });
    const empty = await server.call('POST', '/oauth2/v1/token', {
      headers: { authorization: basic('c', 's') },
    });
    expect(empty.status).toBe(400);
    const other = await server.call('POST', '/oauth2/v1/token', {
      body: 'grant_type=password',
      headers: { ...form, authorization: basic('c', 's') },
    });
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe('unsupported_grant_type');
  });

  it('answers 401 on /api/v2 without a token, with an unknown token, and before reading the body', async () => {
    const none = await server.call('GET', '/api/v2/campaigns');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const unknown = await server.call('GET', '/api/v2/campaigns', {
      headers: { authorization: 'Bearer not-issued' },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toContain('unknown or expired');
    const badBody = await server.call('POST', '/api/v2/campaigns', {
      body: '{oops',
      headers: { 'content-type': 'application/json' },
    });
    expect(badBody.status).toBe(401);
  });

  it('shares tokens between servers on the same database, and expires them', async () => {
    const other = await startServer(database, {}, { tokenTtlSeconds: 1 });
    try {
      const issued = await other.call('POST', '/oauth2/v1/token', {
        body: 'grant_type=client_credentials',
        headers: { ...form, authorization: basic('c', 's') },
      });
      expect(issued.body.expires_in).toBe(1);
      const headers = { authorization: `Bearer ${issued.body.access_token}` };
      expect((await server.call('GET', '/api/v2/campaigns', { headers })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await server.call('GET', '/api/v2/campaigns', { headers })).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});
