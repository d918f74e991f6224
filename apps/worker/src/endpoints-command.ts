import {
  checkEndpointUrl,
  ENDPOINT_STATES,
  type EndpointHealth,
  type EndpointState,
  NotFoundError,
  redactEndpointUrl,
  type WebhookStore,
} from '@hooks/core';
import { type CommandIo, OPERATOR_SETTINGS, withStore } from './command-io.js';
import { parseCommandLine } from './command-line.js';
import { UsageError } from './exit-codes.js';
import { formatDate, formatFields, formatTable, printJson, wantsJson } from './output.js';

/** An endpoint as the operator commands show it: never the raw URL (it may hold a credential). */
export interface EndpointView {
  /** The target URL without user info, query or fragment. */
  url: string;
  /** `healthy`, `failing` or `disabled`. */
  state: EndpointState;
  /** Failed attempts since the last success. */
  consecutiveFailures: number;
  /** When the failure streak began. */
  failingSince: Date | null;
  /** When the last success was recorded. */
  lastSuccessAt: Date | null;
  /** Why the last attempt failed. */
  lastError: string | null;
  /** When the endpoint was disabled. */
  disabledAt: Date | null;
  /** Why it was disabled. */
  disabledReason: string | null;
}

/** The view of one endpoint. */
export function endpointView(endpoint: EndpointHealth): EndpointView {
  return {
    url: redactEndpointUrl(endpoint.url),
    state: endpoint.state,
    consecutiveFailures: endpoint.consecutiveFailures,
    failingSince: endpoint.failingSince,
    lastSuccessAt: endpoint.lastSuccessAt,
    lastError: endpoint.lastError,
    disabledAt: endpoint.disabledAt,
    disabledReason: endpoint.disabledReason,
  };
}

function parseStates(raw: string | undefined): EndpointState[] | undefined {
  if (raw === undefined) return undefined;
  const states = raw.split(',').map((state) => state.trim());
  for (const state of states) {
    if (!(ENDPOINT_STATES as readonly string[]).includes(state)) {
      throw new UsageError(
        `--state must list ${ENDPOINT_STATES.join(', ')}; got ${JSON.stringify(state.slice(0, 40))}`,
        {
          details: { field: '--state' },
        },
      );
    }
  }
  return states as EndpointState[];
}

/**
 * The endpoint `given` names: its exact URL, or the shown (redacted) URL of exactly one endpoint, so an
 * operator can paste what `hooks-worker endpoints` printed. Undefined when none matches.
 */
export async function findEndpoint(store: WebhookStore, given: string): Promise<EndpointHealth | undefined> {
  const endpoints = await store.listEndpoints();
  const exact = endpoints.find((endpoint) => endpoint.url === given);
  if (exact !== undefined) return exact;
  const shown = endpoints.filter((endpoint) => redactEndpointUrl(endpoint.url) === given);
  if (shown.length > 1) {
    throw new UsageError(`${shown.length} endpoints show as ${given}: pass the full URL`, {
      details: { field: 'url' },
    });
  }
  return shown[0];
}

function renderList(views: readonly EndpointView[]): string {
  if (views.length === 0) return 'no endpoints with a failure on record\n';
  return formatTable(
    ['url', 'state', 'failures', 'failing since', 'disabled at', 'reason'],
    views.map((view) => [
      view.url,
      view.state,
      String(view.consecutiveFailures),
      formatDate(view.failingSince),
      formatDate(view.disabledAt),
      view.disabledReason ?? view.lastError ?? '',
    ]),
  );
}

async function enable(argv: readonly string[], io: CommandIo): Promise<number> {
  const line = parseCommandLine(
    argv,
    { settings: OPERATOR_SETTINGS, switches: ['json'], positionals: ['url'] },
    io,
  );
  const given = line.positionals[0]!;
  const result = await withStore(line.settings.database, async ({ store }) => {
    const found = await findEndpoint(store, given);
    if (found === undefined) return undefined;
    const enabled = await store.enableEndpoint(checkEndpointUrl(found.url));
    return enabled === undefined ? undefined : { before: found, enabled };
  });
  if (result === undefined) {
    throw new NotFoundError(`no endpoint ${redactEndpointUrl(given)} in this store`, {
      details: { field: 'url' },
    });
  }
  const since = result.before.failingSince ?? result.before.disabledAt;
  const replay =
    since === null
      ? null
      : `hooks-worker replay --status skipped --since ${since.toISOString()} --limit 1000 --dry-run`;
  if (wantsJson(line.switches.has('json'), io.stdout)) {
    printJson(
      { endpoint: endpointView(result.enabled), was: endpointView(result.before), replay },
      io.stdout,
    );
    return 0;
  }
  io.stdout.write(
    formatFields([
      ['enabled', redactEndpointUrl(result.enabled.url)],
      [
        'was',
        `${result.before.state}${result.before.disabledReason ? ` (${result.before.disabledReason})` : ''}`,
      ],
      ['disabled at', formatDate(result.before.disabledAt)],
    ]),
  );
  if (replay !== null) {
    io.stdout.write(
      `\nEvents skipped while it was disabled stay skipped. Review, then replay them:\n  ${replay}\n`,
    );
  }
  return 0;
}

/**
 * `hooks-worker endpoints [--state s1,s2]` lists endpoint health (URLs without credentials or query);
 * `hooks-worker endpoints enable <url>` re-enables one (an explicit act) and prints how to replay what was
 * skipped meanwhile.
 */
export async function endpointsCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'enable') return enable(rest, io);
  const list = first === 'list' ? rest : argv;
  const line = parseCommandLine(
    list,
    { settings: OPERATOR_SETTINGS, switches: ['json'], options: ['state'] },
    io,
  );
  const state = parseStates(line.options.state);
  const endpoints = await withStore(line.settings.database, ({ store }) =>
    store.listEndpoints(state === undefined ? {} : { state }),
  );
  const views = endpoints.map(endpointView);
  if (wantsJson(line.switches.has('json'), io.stdout)) printJson(views, io.stdout);
  else io.stdout.write(renderList(views));
  return 0;
}
