import { checkEventId, type DeliveryAttempt, NotFoundError, type WebhookEvent } from '@hooks/core';
import { type CommandIo, OPERATOR_SETTINGS, withStore } from './command-io.js';
import { parseCommandLine } from './command-line.js';
import { formatDate, formatFields, formatTable, printJson, wantsJson } from './output.js';

function nextRetry(event: WebhookEvent): string {
  if (event.status !== 'pending') return '-';
  return event.nextRetryAt === null ? 'due now' : formatDate(event.nextRetryAt);
}

function renderEvent(event: WebhookEvent, attempts: readonly DeliveryAttempt[]): string {
  const text = (value: string | number | null): string => (value === null ? '-' : String(value));
  const fields = formatFields([
    ['id', event.id],
    ['type', event.eventType],
    ['status', event.status],
    ['target', text(event.targetUrl)],
    ['attempts', `${event.attempts} of ${event.maxAttempts}`],
    ['replays', String(event.replayCount)],
    ['inserted', formatDate(event.insertedAt)],
    ['updated', formatDate(event.updatedAt)],
    ['next retry', nextRetry(event)],
    ['delivered', formatDate(event.deliveredAt)],
    ['leased by', event.lockedBy === null ? '-' : `${event.lockedBy} until ${formatDate(event.lockedUntil)}`],
    ['last status', text(event.responseStatus)],
    ['last error', text(event.lastError)],
    ['payload', JSON.stringify(event.payload)],
  ]);
  if (attempts.length === 0) return `${fields}\nno attempts yet\n`;
  const rows = attempts.map((attempt) => [
    `${attempt.attemptNumber}${attempt.replayCount > 0 ? ` (replay ${attempt.replayCount})` : ''}`,
    formatDate(attempt.startedAt),
    `${attempt.durationMs} ms`,
    text(attempt.responseStatus),
    text(attempt.workerId),
    attempt.error ?? attempt.responseBody ?? '',
  ]);
  return `${fields}\n${formatTable(['attempt', 'started', 'duration', 'status', 'worker', 'error / response'], rows)}`;
}

/** `hooks-worker inspect <id>`: prints one event row and its attempts; exit 1 when the id is unknown. */
export async function inspectCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const line = parseCommandLine(
    argv,
    { settings: OPERATOR_SETTINGS, switches: ['json'], positionals: ['id'] },
    io,
  );
  const id = checkEventId(line.positionals[0], 'id');
  const found = await withStore(line.settings.database, async ({ store }) => {
    const event = await store.get(id);
    return event === undefined ? undefined : { event, attempts: await store.listAttempts(id) };
  });
  if (found === undefined)
    throw new NotFoundError(`no event with id ${id} in this store`, { details: { id } });
  if (wantsJson(line.switches.has('json'), io.stdout)) printJson(found, io.stdout);
  else io.stdout.write(renderEvent(found.event, found.attempts));
  return 0;
}
