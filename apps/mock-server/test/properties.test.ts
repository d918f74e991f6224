import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, type RunningServer, startServer } from './support/mock-harness.js';

const RUNS = 60;

// Values that tend to break servers: strings with NUL and lone surrogates, huge and odd numbers, deep JSON.
const text = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ maxLength: 20 }).map((s) => `${s}\u0000${s}`),
  fc.constantFrom(
    '',
    '\u0000',
    '\ud800',
    'draft',
    'approved',
    'pending',
    'client_credentials',
    '2024-05-01T00:00:00Z',
  ),
);
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, 1e308, -0, 0.5),
);
const value = fc.oneof(
  text,
  text,
  number,
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A body for a route: its own fields with awkward values (often), or any JSON at all. */
function bodyFor(fields: readonly string[]) {
  const record = fc.record(Object.fromEntries(fields.map((field) => [field, value])), { requiredKeys: [] });
  return fc.oneof({ weight: 4, arbitrary: record }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) });
}

const FIELDS: Record<string, readonly string[]> = {
  token: ['grant_type', 'scope'],
  campaign: ['name', 'description'],
  status: ['status'],
  application: ['campaign_id', 'applicant_name', 'applicant_email', 'requested_amount'],
  patch: ['applicant_name', 'applicant_email', 'requested_amount', 'status'],
  replay: ['ids', 'type', 'targetUrl', 'status', 'since', 'until', 'limit', 'dryRun', 'maxReplays'],
};
const raw = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json(),
  fc.constantFrom(
    '{',
    '[',
    '{"name":',
    'null',
    '""',
    '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{}}}',
  ),
);
const queryString = fc.oneof(
  fc
    .dictionary(
      fc.constantFrom('page', 'per_page', 'status', 'type', 'limit', 'cursor', 'x'),
      fc.oneof(text, number.map(String)),
      { maxKeys: 4 },
    )
    .map((entries) => new URLSearchParams(entries as Record<string, string>).toString()),
  fc.string({ maxLength: 80 }).map((s) => encodeURI(s).replace(/#/g, '%23')),
  fc.constantFrom(
    'page=1&page=2',
    'page[]=1',
    'per_page[a]=1',
    'limit=1e3',
    'status=failed,,x',
    'cursor=' + 'A'.repeat(500),
  ),
);

describeEachDatabase('no request can produce a 5xx', (database) => {
  let server: RunningServer;
  let campaignId: number;
  let applicationId: number;
  let auth: string;
  beforeAll(async () => {
    server = await startServer(database);
    campaignId = (await server.api('POST', '/api/v2/campaigns', { name: 'Property' })).body.data.id;
    applicationId = (
      await server.api('POST', '/api/v2/finance-applications', {
        campaign_id: campaignId,
        applicant_name: 'P',
      })
    ).body.data.id;
    const issued = await server.call('POST', '/oauth2/v1/token', {
      body: { grant_type: 'client_credentials' },
      headers: { authorization: `Basic ${Buffer.from('c:s').toString('base64')}` },
    });
    auth = `Bearer ${issued.body.access_token}`;
  });
  afterAll(() => server.close());

  const routes = (): [string, string, readonly string[]][] => [
    ['POST', '/oauth2/v1/token', FIELDS.token!],
    ['POST', '/api/v2/campaigns', FIELDS.campaign!],
    ['POST', `/api/v2/campaigns/${campaignId}/set-status`, FIELDS.status!],
    ['POST', '/api/v2/finance-applications', FIELDS.application!],
    ['PATCH', `/api/v2/finance-applications/${applicationId}`, FIELDS.patch!],
    ['POST', `/api/v2/finance-applications/${applicationId}/set-status`, FIELDS.status!],
    ['POST', `/api/v2/finance-applications/${applicationId}/submit`, []],
    ['POST', '/_mock/webhook-events/replay', FIELDS.replay!],
  ];

  async function expectNo5xx(
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string> },
  ) {
    const headers = {
      authorization: path.startsWith('/oauth2') ? `Basic ${Buffer.from('c:s').toString('base64')}` : auth,
      ...init.headers,
    };
    const response = await server.call(method, path, { ...init, headers });
    expect(
      response.status,
      `${method} ${path} ${JSON.stringify(init.body)?.slice(0, 300)} -> ${response.text.slice(0, 300)}`,
    ).toBeLessThan(500);
    if (response.status >= 400) expect(response.body.error.code).toEqual(expect.any(String));
  }

  it('for random JSON bodies on every write route', async () => {
    for (const [method, path, fields] of routes()) {
      await fc.assert(
        fc.asyncProperty(bodyFor(fields), async (payload) => {
          await expectNo5xx(method, path, {
            body: JSON.stringify(payload),
            headers: { 'content-type': 'application/json' },
          });
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('for random raw bodies and content types', async () => {
    const contentType = fc.constantFrom(
      'application/json',
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/json; charset=utf-8',
      'multipart/form-data',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes()),
        raw,
        contentType,
        async ([method, path], payload, type) => {
          await expectNo5xx(method, path, { body: payload, headers: { 'content-type': type } });
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('for random query strings and path ids', async () => {
    const paths = ['/api/v2/campaigns', '/api/v2/finance-applications', '/_mock/webhook-events'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), queryString, async (path, query) => {
        await expectNo5xx('GET', `${path}?${query}`, {});
      }),
      { numRuns: RUNS * 2 },
    );
    const id = fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.bigInt().map(String),
      fc.integer().map(String),
    );
    const templates = [
      '/api/v2/campaigns/:id',
      '/api/v2/finance-applications/:id',
      '/_mock/webhook-events/:id',
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...templates), id, async (template, raw) => {
        await expectNo5xx('GET', template.replace(':id', encodeURIComponent(raw)), {});
      }),
      { numRuns: RUNS },
    );
  });
});
