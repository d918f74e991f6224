import { capText } from './store-input.js';
import type { WebhookEvent } from './webhook-event.js';
import type { AttemptOutcome } from './webhook-store.js';

function stored(text: string | null | undefined): string | null {
  return text === undefined || text === null ? null : capText(text);
}

/**
 * The row `event` becomes once a store has applied `outcome` to it at `recordedAt` (the `recordedAt` of its
 * `RecordResult`): exactly what every store writes and would return, without reading the row back. For an
 * outcome the store applied (`RecordResult.applied`), to the row as it stood when it was leased.
 *
 * @example
 * const [result] = await store.recordOutcomes([outcome], { returnEvents: false });
 * if (result.applied) onSettled(settledEvent(leasedRow, outcome, result.recordedAt));
 */
export function settledEvent(event: WebhookEvent, outcome: AttemptOutcome, recordedAt: Date): WebhookEvent {
  const { attempt, result } = outcome;
  return {
    ...event,
    status: result.kind === 'retry' ? 'pending' : result.kind,
    attempts: outcome.attemptNumber,
    nextRetryAt: result.kind === 'retry' ? new Date(result.nextRetryAt.getTime()) : event.nextRetryAt,
    lastAttemptAt: new Date(attempt.startedAt.getTime()),
    lastError: result.kind === 'skipped' ? stored(result.reason) : stored(attempt.error),
    responseStatus: attempt.responseStatus ?? null,
    responseBody: stored(attempt.responseBody),
    deliveredAt: result.kind === 'delivered' ? new Date(attempt.finishedAt.getTime()) : event.deliveredAt,
    updatedAt: new Date(recordedAt.getTime()),
    lockedBy: null,
    lockedUntil: null,
  };
}
