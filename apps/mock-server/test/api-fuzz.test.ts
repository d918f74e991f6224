import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dumpTables, type RowsLocation, type TableDump } from '../../shared/test/support/database-rows.js';
import { describeEachDatabase, type RunningServer, startServer } from './support/mock-harness.js';

// properties.test.ts checks that no request gets a 5xx. Here each request starts from a valid body (or
// query) with ONE field made odd: a rejection must be a JSON 4xx that names that field, and every table
// must read the same before and after it (raw SQL over the whole database: nothing half-written).

const RUNS = 40;
// Each request is bracketed by raw dumps of every table: slow on PostgreSQL, so a generous budget.
const TIMEOUT = 120_000;

/** A number written into the JSON text as it is (1e400 parses to Infinity, -0 stays -0, ...). */
class RawNumber {
  constructor(readonly text: string) {}
}

const odd = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
  fc.string({ maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff\ud800',
    '\u202e\u200b\ufeff',
    '💥'.repeat(150),
  ),
  fc.integer({ min: 201, max: 5000 }).map((n) => 'x'.repeat(n)),
  fc.constant('y'.repeat(300_000)),
  fc
    .constantFrom('1e400', '-1e400', '-0', '1.0', '2147483648', '9007199254740993', '1e-400', '0.1e1')
    .map((text) => new RawNumber(text)),
);

/** JSON text of `body`, with RawNumber values spliced in verbatim. */
function jsonText(body: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(body, (_key, value) => {
    if (!(value instanceof RawNumber)) return value;
    raws.push(value.text);
    return `\u0001${raws.length - 1}\u0001`;
  });
  return text.replace(/"\\u0001(\d+)\\u0001"/g, (_all, index: string) => raws[Number(index)]!);
}

/** One change to a valid body: a field set to an odd value, removed, or an unknown field added. */
type Mutation = { field: string; kind: 'set'; value: unknown } | { field: string; kind: 'drop' | 'extra' };

function mutation(fields: readonly string[]): fc.Arbitrary<Mutation> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        field: fc.constantFrom(...fields),
        kind: fc.constant('set' as const),
        value: odd,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ field: fc.constantFrom(...fields), kind: fc.constant('drop' as const) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        field: fc.constantFrom('extra_field', 'isAdmin', 'id', 'created_at'),
        kind: fc.constant('extra' as const),
      }),
    },
  );
}

function apply(base: Record<string, unknown>, change: Mutation): Record<string, unknown> {
  const body = { ...base };
  if (change.kind === 'drop') delete body[change.field];
  else body[change.field] = change.kind === 'set' ? change.value : 'unexpected';
  return body;
}

/** True when the error body names `field` as a word (in details.field, an issue path, or the message). */
function namesField(error: unknown, field: string): boolean {
  const text = JSON.stringify(error);
  return new RegExp(`(^|[^A-Za-z0-9_])${field}([^A-Za-z0-9_]|$)`).test(text);
}

describeEachDatabase('fuzz: one odd field is refused clearly, and nothing is written', (database) => {
  let server: RunningServer;
  let location: RowsLocation;
  let auth: string;
  let campaignId: number;
  let applicationId: number;
  let eventId: string;

  beforeAll(async () => {
    // No HOOKS_WEBHOOK_URL: events are recorded as skipped, so nothing changes the tables in the background.
    server = await startServer(database);
    location = server.config.database as RowsLocation;
    campaignId = (await server.api('POST', '/api/v2/campaigns', { name: 'Fuzz' })).body.data.id;
    const set = await server.api('POST', `/api/v2/campaigns/${campaignId}/set-status`, { status: 'active' });
    eventId = set.body.meta.events[0];
    applicationId = (
      await server.api('POST', '/api/v2/finance-applications', {
        campaign_id: campaignId,
        applicant_name: 'F',
      })
    ).body.data.id;
    const issued = await server.call('POST', '/oauth2/v1/token', {
      body: { grant_type: 'client_credentials' },
      headers: { authorization: `Basic ${Buffer.from('fuzz:client').toString('base64')}` },
    });
    auth = `Bearer ${issued.body.access_token}`;
  });
  afterAll(() => server.close());

  /**
   * The tables once nothing is moving: an accepted request may have emitted or replayed events that the
   * embedded worker finishes after the response (here: records them as skipped). Wait for that first.
   */
  async function quietDump(): Promise<TableDump> {
    for (let tries = 0; ; tries++) {
      const first = await dumpTables(location);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const pending = await server.call('GET', '/_mock/webhook-events?status=pending&limit=1');
      const second = await dumpTables(location);
      if (pending.body.data.length === 0 && JSON.stringify(first) === JSON.stringify(second)) return second;
      if (tries > 200) throw new Error('the database never settled between two requests');
    }
  }

  /** Sends one request; a rejection must be a clear JSON 4xx naming `field` that changed no table. */
  async function expectClearOrAccepted(
    method: string,
    path: string,
    init: { body?: string; headers?: Record<string, string> },
    field: string | undefined,
    /** Only refusals with one of these statuses must name `field` (default: every 4xx but 413). */
    namedOn?: readonly number[],
  ): Promise<number> {
    const before = await quietDump();
    const response = await server.call(method, path, {
      ...init,
      headers: { authorization: auth, 'content-type': 'application/json', ...init.headers },
    });
    const what = `${method} ${path} ${init.body?.slice(0, 200)} -> ${response.status} ${response.text.slice(0, 300)}`;
    expect(response.status, what).toBeLessThan(500);
    if (response.status < 400) return response.status;
    expect(response.headers.get('content-type'), what).toMatch(/^application\/json/);
    const { error } = response.body;
    expect(error.code, what).toMatch(/^[a-z_0-9]+$/);
    expect(typeof error.message === 'string' && error.message.length > 0, what).toBe(true);
    // A body over the 1 MiB limit is refused as a whole, before any field is read.
    const named = namedOn === undefined ? response.status !== 413 : namedOn.includes(response.status);
    if (field !== undefined && named) expect(namesField(error, field), what).toBe(true);
    expect(await dumpTables(location), `${what}: a rejected request changed the database`).toEqual(before);
    return response.status;
  }

  const writeRoutes = (): {
    method: string;
    path: string;
    base: Record<string, unknown>;
    namedOn?: readonly number[];
  }[] => [
    { method: 'POST', path: '/api/v2/campaigns', base: { name: 'Valid', description: 'text' } },
    { method: 'POST', path: `/api/v2/campaigns/${campaignId}/set-status`, base: { status: 'paused' } },
    {
      method: 'POST',
      path: '/api/v2/finance-applications',
      base: {
        campaign_id: campaignId,
        applicant_name: 'Ada',
        applicant_email: 'ada@example.test',
        requested_amount: 1000,
      },
    },
    {
      method: 'PATCH',
      path: `/api/v2/finance-applications/${applicationId}`,
      base: { applicant_name: 'Ada B', applicant_email: null, requested_amount: 12.5 },
    },
    {
      method: 'POST',
      path: `/api/v2/finance-applications/${applicationId}/set-status`,
      base: { status: 'draft' },
    },
    {
      method: 'POST',
      path: '/_mock/webhook-events/replay',
      base: {
        ids: [eventId],
        type: 'campaign_status_change',
        targetUrl: 'https://receiver.example.test/hooks',
        status: 'skipped',
        limit: 5,
        dryRun: true,
        maxReplays: 3,
      },
    },
    {
      // No endpoint has a failure on record here: a valid body is a 404 for the endpoint, so only the
      // validation refusals (400) must name the odd field.
      method: 'POST',
      path: '/_mock/endpoints/enable',
      base: { id: '0123456789abcdef', replay: true, limit: 5 },
      namedOn: [400],
    },
  ];

  it(
    'JSON bodies of every write route (and the replay API)',
    async () => {
      for (const route of writeRoutes()) {
        await fc.assert(
          fc.asyncProperty(mutation(Object.keys(route.base)), async (change) => {
            const body = jsonText(apply(route.base, change));
            await expectClearOrAccepted(route.method, route.path, { body }, change.field, route.namedOn);
          }),
          { numRuns: RUNS },
        );
      }
    },
    TIMEOUT,
  );

  it(
    'the OAuth token endpoint: odd grant fields, form bodies and Authorization headers',
    async () => {
      const basic = `Basic ${Buffer.from('client:secret').toString('base64')}`;
      const authorization = fc.oneof(
        { weight: 4, arbitrary: fc.constant(basic) },
        {
          weight: 1,
          arbitrary: fc.oneof(
            fc.constantFrom('', 'Basic', 'Basic !!!', 'Basic Og==', 'Bearer x', `Basic ${'A'.repeat(3000)}`),
            fc.string({ maxLength: 60 }).map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
            fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
          ),
        },
      );
      await fc.assert(
        fc.asyncProperty(
          mutation(['grant_type', 'scope']),
          authorization,
          fc.boolean(),
          async (change, header, asForm) => {
            const fields = apply({ grant_type: 'client_credentials', scope: 'read' }, change);
            const form = new URLSearchParams(
              Object.fromEntries(
                Object.entries(fields).map(([key, value]) => [
                  key,
                  typeof value === 'string' ? value : (jsonText(value) ?? ''),
                ]),
              ),
            ).toString();
            const status = await expectClearOrAccepted(
              'POST',
              '/oauth2/v1/token',
              {
                body: asForm ? form : jsonText(fields),
                headers: {
                  authorization: header,
                  'content-type': asForm ? 'application/x-www-form-urlencoded' : 'application/json',
                },
              },
              header === basic ? change.field : undefined,
            );
            if (status === 401) expect(header).not.toBe(basic);
          },
        ),
        { numRuns: RUNS * 3 },
      );
    },
    TIMEOUT,
  );

  it(
    'query strings of every list route: each parameter named when refused',
    async () => {
      const lists: [string, Record<string, string>][] = [
        ['/api/v2/campaigns', { page: '1', per_page: '10' }],
        ['/api/v2/finance-applications', { page: '2', per_page: '100' }],
        ['/_mock/webhook-events', { status: 'skipped', type: 'campaign_status_change', limit: '10' }],
        ['/_mock/endpoints', { state: 'disabled' }],
      ];
      const value = fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom(
          '0',
          '-1',
          '1e3',
          '1.5',
          '99999999999',
          ' 1',
          '0x10',
          'pending,bogus',
          ',',
          '\u0000',
          'é',
        ),
        fc.constant('C'.repeat(5000)),
        fc.base64String({ maxLength: 80 }),
      );
      const param = fc.constantFrom('page', 'per_page', 'status', 'type', 'limit', 'cursor', 'state');
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...lists),
          param,
          value,
          fc.boolean(),
          async ([path, base], name, text, twice) => {
            const query = new URLSearchParams({ ...base, [name]: text });
            if (twice) query.append(name, text);
            // Parameters a route does not read are ignored (not refused): only a refusal must name one.
            await expectClearOrAccepted('GET', `${path}?${query}`, {}, name);
          },
        ),
        // Found by this test: a NUL in a filter reached PostgreSQL and came back as a "cannot store" error.
        { numRuns: RUNS * 4, examples: [[lists[2]!, 'type', '\u0000', false]] },
      );
    },
    TIMEOUT,
  );

  it(
    'ids in paths: unknown or malformed ids are a 404 naming the resource, and redeliver writes nothing',
    async () => {
      const id = fc.oneof(
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.constantFrom(
          '0',
          '-1',
          '2147483648',
          '1e3',
          'evt_',
          'evt_00000000000000000000000000',
          '..',
          '%00',
        ),
      );
      const templates = [
        ['GET', '/api/v2/campaigns/:id', 'campaign'],
        ['POST', '/api/v2/finance-applications/:id/submit', 'finance application'],
        ['GET', '/_mock/webhook-events/:id', 'webhook event'],
        ['POST', '/_mock/webhook-events/:id/redeliver', 'webhook event'],
      ] as const;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...templates), id, async ([method, template, resource], raw) => {
          const path = template.replace(':id', encodeURIComponent(raw));
          const status = await expectClearOrAccepted(method, path, {}, undefined);
          if (status === 404) {
            const response = await server.call(method, path, { headers: { authorization: auth } });
            expect(response.body.error.message).toMatch(/not found|no route/);
            if (response.body.error.details) expect(response.body.error.details.resource).toBe(resource);
          }
        }),
        { numRuns: RUNS * 2 },
      );
    },
    TIMEOUT,
  );
});
