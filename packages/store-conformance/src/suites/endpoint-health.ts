import type { EndpointHealth, EndpointResult, WebhookStore } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import { countNotifications, expectInvalidInput, HOUR, MINUTE, shift } from '../fixtures.js';
import type { RawEndpointRow, StoreHarness, SuiteContext } from '../harness.js';

const URL_A = 'https://a.receiver.example.test/hooks';
const URL_B = 'https://b.receiver.example.test/hooks?token=abc';
const URL_C = 'https://c.receiver.example.test:8080/';
/** A fixed time base: results carry explicit times and policies an explicit `now`. */
const T0 = new Date('2030-01-01T00:00:00.000Z');
const PEERS = 4;
const ROUNDS = 8;

function failure(url: string, at: Date, count = 1, error = 'HTTP 500'): EndpointResult {
  return { url, kind: 'failure', count, at, error };
}

async function rawEndpointOrFail(harness: StoreHarness, url: string): Promise<RawEndpointRow> {
  const row = await harness.raw.endpoint(url);
  if (row === undefined) throw new Error(`expected a stored endpoint row for ${url}`);
  return row;
}

/** Asserts that an endpoint returned by the store and its stored row agree on every stored field. */
function expectSameEndpoint(endpoint: EndpointHealth | undefined, raw: RawEndpointRow | undefined): void {
  expect(endpoint, 'endpoint').toBeDefined();
  expect(raw, `raw endpoint ${endpoint?.url}`).toBeDefined();
  const { state: _state, ...stored } = endpoint!;
  expect(stored).toEqual({ ...raw });
}

async function peersOf(context: SuiteContext): Promise<WebhookStore[]> {
  const harness = context.harness();
  return Promise.all(Array.from({ length: PEERS }, () => harness.openPeer()));
}

/** Registers the tests of endpoint health: `recordEndpointResults`, `listEndpoints`, `enableEndpoint`. */
export function endpointHealthSuite(context: SuiteContext): void {
  describe('endpoint health', () => {
    it('a new store keeps no endpoints; a success for an unknown URL stores nothing', async () => {
      const harness = context.harness();
      expect(await harness.store.listEndpoints()).toEqual([]);
      const report = await harness.store.recordEndpointResults([{ url: URL_A, kind: 'success', at: T0 }], {
        now: T0,
      });
      expect(report.disabled).toEqual([]);
      expect(report.endpoints).toHaveLength(1);
      expect(report.endpoints[0]).toMatchObject({ url: URL_A, state: 'healthy', consecutiveFailures: 0 });
      expect(await harness.raw.endpoint(URL_A)).toBeUndefined();
      expect(await harness.store.listEndpoints()).toEqual([]);
    });

    it('failures start and extend a streak; a success ends it (stored as written)', async () => {
      const harness = context.harness();
      const first = await harness.store.recordEndpointResults(
        [failure(URL_A, T0, 1, 'HTTP 500'), failure(URL_A, shift(T0, 1000), 2, 'HTTP 502')],
        { now: shift(T0, 2000) },
      );
      expect(first.endpoints[0]).toMatchObject({ state: 'failing', consecutiveFailures: 3 });
      const raw = await rawEndpointOrFail(harness, URL_A);
      expect(raw).toEqual({
        url: URL_A,
        consecutiveFailures: 3,
        failingSince: T0,
        lastFailureAt: shift(T0, 1000),
        lastSuccessAt: null,
        lastError: 'HTTP 502',
        disabledAt: null,
        disabledReason: null,
        updatedAt: shift(T0, 2000),
      });
      expectSameEndpoint(first.endpoints[0], raw);
      await harness.store.recordEndpointResults([failure(URL_A, shift(T0, 3000))], { now: shift(T0, 3000) });
      expect((await rawEndpointOrFail(harness, URL_A)).consecutiveFailures).toBe(4);

      const healed = await harness.store.recordEndpointResults(
        [{ url: URL_A, kind: 'success', at: shift(T0, 4000) }],
        { now: shift(T0, 4000) },
      );
      const after = await rawEndpointOrFail(harness, URL_A);
      expect(after).toMatchObject({
        consecutiveFailures: 0,
        failingSince: null,
        lastSuccessAt: shift(T0, 4000),
        lastFailureAt: shift(T0, 3000),
        disabledAt: null,
      });
      expectSameEndpoint(healed.endpoints[0], after);
      const listed = await harness.store.listEndpoints();
      expect(listed.map((endpoint) => [endpoint.url, endpoint.state])).toEqual([[URL_A, 'healthy']]);
      expectSameEndpoint(listed[0], after);
    });

    it('gone disables at once with the reason 410 Gone; later results change nothing', async () => {
      const harness = context.harness();
      const now = shift(T0, MINUTE);
      const report = await harness.store.recordEndpointResults(
        [{ url: URL_A, kind: 'gone', at: T0, error: 'receiver answered 410 Gone' }],
        { now },
      );
      expect(report.disabled.map((endpoint) => endpoint.url)).toEqual([URL_A]);
      const raw = await rawEndpointOrFail(harness, URL_A);
      expect(raw).toMatchObject({
        consecutiveFailures: 1,
        disabledAt: now,
        disabledReason: '410 Gone',
        lastError: 'receiver answered 410 Gone',
      });
      expectSameEndpoint(report.disabled[0], raw);

      const later = await harness.store.recordEndpointResults(
        [{ url: URL_A, kind: 'success', at: shift(now, 1) }, failure(URL_A, shift(now, 2))],
        { now: shift(now, 3), disableAfterFailures: 1 },
      );
      expect(later.disabled).toEqual([]);
      expect(later.endpoints[0]).toMatchObject({ state: 'disabled', disabledAt: now });
      expect(await rawEndpointOrFail(harness, URL_A)).toEqual(raw);
    });

    it('thresholds are off unless the policy sets them', async () => {
      const harness = context.harness();
      const report = await harness.store.recordEndpointResults([failure(URL_A, T0, 10_000)], {
        now: shift(T0, 400 * 24 * HOUR),
      });
      expect(report.disabled).toEqual([]);
      expect(await rawEndpointOrFail(harness, URL_A)).toMatchObject({
        consecutiveFailures: 10_000,
        disabledAt: null,
      });
    });

    it('disableAfterFailures counts across calls and disables on the call that reaches it', async () => {
      const harness = context.harness();
      const policy = { disableAfterFailures: 5 };
      const first = await harness.store.recordEndpointResults([failure(URL_A, T0, 4)], {
        ...policy,
        now: T0,
      });
      expect(first.disabled).toEqual([]);
      const second = await harness.store.recordEndpointResults([failure(URL_A, shift(T0, 1))], {
        ...policy,
        now: shift(T0, 1),
      });
      expect(second.disabled.map((endpoint) => endpoint.disabledReason)).toEqual([
        '5 consecutive failed attempts',
      ]);
      expect(await rawEndpointOrFail(harness, URL_A)).toMatchObject({
        consecutiveFailures: 5,
        disabledAt: shift(T0, 1),
        disabledReason: '5 consecutive failed attempts',
      });
    });

    it('disableAfterMs disables a streak that lasted that long by now', async () => {
      const harness = context.harness();
      const policy = { disableAfterMs: 24 * HOUR };
      await harness.store.recordEndpointResults([failure(URL_A, T0)], { ...policy, now: T0 });
      const early = await harness.store.recordEndpointResults([failure(URL_A, shift(T0, 23 * HOUR))], {
        ...policy,
        now: shift(T0, 23 * HOUR),
      });
      expect(early.disabled).toEqual([]);
      const late = await harness.store.recordEndpointResults([failure(URL_A, shift(T0, 24 * HOUR))], {
        ...policy,
        now: shift(T0, 24 * HOUR),
      });
      expect(late.disabled).toHaveLength(1);
      expect(await rawEndpointOrFail(harness, URL_A)).toMatchObject({
        consecutiveFailures: 3,
        failingSince: T0,
        disabledAt: shift(T0, 24 * HOUR),
        disabledReason: `failing continuously since ${T0.toISOString()}`,
      });
    });

    it('listEndpoints orders by URL and filters by state and limit', async () => {
      const harness = context.harness();
      await harness.store.recordEndpointResults([failure(URL_A, T0)], { now: T0 });
      await harness.store.recordEndpointResults(
        [failure(URL_C, T0), { url: URL_B, kind: 'gone', at: T0 }, { url: URL_A, kind: 'success', at: T0 }],
        { now: shift(T0, 2) },
      );
      const all = await harness.store.listEndpoints();
      expect(all.map((endpoint) => [endpoint.url, endpoint.state])).toEqual([
        [URL_A, 'healthy'],
        [URL_B, 'disabled'],
        [URL_C, 'failing'],
      ]);
      for (const endpoint of all) expectSameEndpoint(endpoint, await harness.raw.endpoint(endpoint.url));
      const urls = async (query: Parameters<WebhookStore['listEndpoints']>[0]) =>
        (await harness.store.listEndpoints(query)).map((endpoint) => endpoint.url);
      expect(await urls({ state: 'disabled' })).toEqual([URL_B]);
      expect(await urls({ state: ['failing', 'disabled'] })).toEqual([URL_B, URL_C]);
      expect(await urls({ state: 'healthy' })).toEqual([URL_A]);
      expect(await urls({ limit: 2 })).toEqual([URL_A, URL_B]);
    });

    it('enableEndpoint clears the disable and the streak, wakes listeners, and is undefined for unknown URLs', async () => {
      const harness = context.harness();
      await harness.store.recordEndpointResults([{ url: URL_A, kind: 'gone', at: T0 }], { now: T0 });
      const listener = countNotifications(harness.store);
      const enabled = await harness.store.enableEndpoint(URL_A, { now: shift(T0, HOUR) });
      await listener.next(1);
      listener.unsubscribe();
      expect(enabled).toMatchObject({ url: URL_A, state: 'healthy', consecutiveFailures: 0 });
      const raw = await rawEndpointOrFail(harness, URL_A);
      expect(raw).toMatchObject({
        consecutiveFailures: 0,
        failingSince: null,
        disabledAt: null,
        disabledReason: null,
        lastFailureAt: T0,
        updatedAt: shift(T0, HOUR),
      });
      expectSameEndpoint(enabled, raw);
      expect(await harness.store.enableEndpoint(URL_C)).toBeUndefined();
      expect(await harness.raw.endpoint(URL_C)).toBeUndefined();
      const again = await harness.store.recordEndpointResults([failure(URL_A, shift(T0, 2 * HOUR))], {
        now: shift(T0, 2 * HOUR),
      });
      expect(again.endpoints[0]).toMatchObject({ state: 'failing', consecutiveFailures: 1 });
    });

    it('refuses bad input naming the field, and writes nothing of a refused batch', async () => {
      const harness = context.harness();
      await expectInvalidInput(
        () => harness.store.recordEndpointResults([failure(URL_A, T0), failure('ftp://nope/', T0)]),
        'results[1].url',
      );
      expect(await harness.raw.endpoint(URL_A)).toBeUndefined();
      await expectInvalidInput(
        () => harness.store.recordEndpointResults([{ url: URL_A, kind: 'broken' as 'gone', at: T0 }]),
        'results[0].kind',
      );
      await expectInvalidInput(
        () => harness.store.recordEndpointResults([failure(URL_A, T0)], { disableAfterFailures: 0 }),
        'policy.disableAfterFailures',
      );
      await expectInvalidInput(
        () => harness.store.recordEndpointResults('x' as unknown as EndpointResult[]),
        'results',
      );
      await expectInvalidInput(() => harness.store.listEndpoints({ state: 'sick' as 'healthy' }), 'state');
      await expectInvalidInput(() => harness.store.enableEndpoint('not a url'), 'url');
      expect(await harness.store.listEndpoints()).toEqual([]);
    });

    const across = context.options.realConcurrency ? 'across separate connections' : 'on one instance';
    it(`concurrent results from ${PEERS} peers never lose a count (${across})`, async () => {
      const harness = context.harness();
      const peers = await peersOf(context);
      await Promise.all(
        peers.map(async (peer, index) => {
          for (let round = 0; round < ROUNDS; round++) {
            const at = shift(T0, round);
            const pair = [failure(URL_A, at, 2), failure(URL_B, at, 1)];
            // Opposite URL orders on alternate peers: a store that locks rows in input order would deadlock.
            await peer.recordEndpointResults(index % 2 === 0 ? pair : pair.reverse(), { now: at });
          }
        }),
      );
      expect((await rawEndpointOrFail(harness, URL_A)).consecutiveFailures).toBe(PEERS * ROUNDS * 2);
      expect((await rawEndpointOrFail(harness, URL_B)).consecutiveFailures).toBe(PEERS * ROUNDS);
    });

    it(`concurrent results crossing the threshold disable the endpoint exactly once (${across})`, async () => {
      const harness = context.harness();
      const peers = await peersOf(context);
      const reports = await Promise.all(
        peers.map((peer) =>
          peer.recordEndpointResults([failure(URL_A, T0, 5)], { disableAfterFailures: 10, now: T0 }),
        ),
      );
      expect(reports.flatMap((report) => report.disabled)).toHaveLength(1);
      expect(await rawEndpointOrFail(harness, URL_A)).toMatchObject({
        consecutiveFailures: 10,
        disabledReason: '10 consecutive failed attempts',
      });
    });
  });
}
