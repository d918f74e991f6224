import type { WebhookStore } from '@hooks/core';

/** Marks pending rows `failed` the way a worker would: claim them, then record a final failed attempt. */
export async function failAll(store: WebhookStore, ids: readonly string[]): Promise<void> {
  const rows = await store.claimDue({ workerId: 'test-failer', limit: 1000, leaseMs: 60_000 });
  const mine = rows.filter((row) => ids.includes(row.id));
  await store.recordOutcomes(
    mine.map((row) => ({
      eventId: row.id,
      workerId: 'test-failer',
      attemptNumber: row.attempts + 1,
      attempt: { startedAt: new Date(), finishedAt: new Date(), responseStatus: 500, error: 'HTTP 500' },
      result: { kind: 'failed' as const },
    })),
  );
  await store.releaseLeases(
    rows.filter((row) => !ids.includes(row.id)).map((row) => row.id),
    'test-failer',
  );
}
