import {
  checkEndpointUrl,
  type EndpointHealth,
  type EndpointHealthPolicy,
  type EndpointResult,
  type EndpointResultsReport,
  enabledEndpoint,
  foldEndpointResults,
  type ListEndpointsQuery,
  newEndpointHealth,
  normaliseEndpointQuery,
  prepareEndpointRecording,
} from '@hooks/core';

function copy(endpoint: EndpointHealth): EndpointHealth {
  const date = (value: Date | null) => (value === null ? null : new Date(value.getTime()));
  return {
    ...endpoint,
    failingSince: date(endpoint.failingSince),
    lastFailureAt: date(endpoint.lastFailureAt),
    lastSuccessAt: date(endpoint.lastSuccessAt),
    disabledAt: date(endpoint.disabledAt),
    updatedAt: new Date(endpoint.updatedAt.getTime()),
  };
}

/**
 * The memory store's endpoint health: one entry per target URL that ever failed, applied with the shared
 * `foldEndpointResults` rule. Input is checked before anything changes, so a refused call changes nothing.
 *
 * @example
 * const endpoints = new MemoryEndpoints();
 * endpoints.record([{ url, kind: 'gone', at: new Date() }], undefined, new Date());
 */
export class MemoryEndpoints {
  readonly #entries = new Map<string, EndpointHealth>();

  /** Endpoints in URL order, filtered by state, at most `limit`. */
  list(query?: ListEndpointsQuery): EndpointHealth[] {
    const { states, limit } = normaliseEndpointQuery(query);
    return this.snapshot()
      .filter((endpoint) => states === null || states.includes(endpoint.state))
      .slice(0, limit);
  }

  /** Applies results per URL; entries are created only for endpoints that are not healthy afterwards. */
  record(
    results: readonly EndpointResult[],
    policy: EndpointHealthPolicy | undefined,
    clockNow: Date,
  ): EndpointResultsReport {
    const { grouped, policy: checked, now } = prepareEndpointRecording(results, policy, () => clockNow);
    const report: EndpointResultsReport = { endpoints: [], disabled: [] };
    for (const [url, list] of grouped) {
      const current = this.#entries.get(url);
      const fold = foldEndpointResults(current ?? newEndpointHealth(url, now), list, checked, now);
      if (fold.changed && (current !== undefined || fold.next.state !== 'healthy')) {
        this.#entries.set(url, fold.next);
      }
      report.endpoints.push(copy(fold.next));
      if (fold.disabled) report.disabled.push(copy(fold.next));
    }
    return report;
  }

  /** Clears the streak and the disable of a known endpoint; undefined when unknown. */
  enable(url: string, now: Date): EndpointHealth | undefined {
    const current = this.#entries.get(checkEndpointUrl(url));
    if (current === undefined) return undefined;
    const next = enabledEndpoint(current, now);
    this.#entries.set(url, next);
    return copy(next);
  }

  /** Copies of every entry (for `inspectMemoryStore`). */
  snapshot(): EndpointHealth[] {
    return [...this.#entries.values()].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0)).map(copy);
  }
}
