import type { WebhookEvent } from '@hooks/core';
import type { BoundedQueue } from './bounded-queue.js';
import type { DeliveryPool } from './delivery-pool.js';
import type { DeliveryRunner } from './delivery-runner.js';
import type { DiagnosticsCollector } from './diagnostics.js';
import type { ResolvedDispatcherOptions } from './dispatcher-options.js';
import { QueueFullError } from './engine-errors.js';
import type { WorkItem } from './work-item.js';

/** What the hand-off needs from its dispatcher. */
export interface QueueHandoffContext {
  /** The dispatcher's options. */
  readonly options: ResolvedDispatcherOptions;
  /** The bounded hand-off queue. */
  readonly queue: BoundedQueue<WorkItem>;
  /** Runs queued hand-offs. */
  readonly pool: DeliveryPool<WorkItem>;
  /** Releases leases and records skipped drops. */
  readonly runner: DeliveryRunner;
  /** Counts drops. */
  readonly diagnostics: DiagnosticsCollector;
  /** Whether this dispatcher's scheduler is running, and a way to wake it. */
  readonly scheduler: { readonly isRunning: boolean; wake(): void };
  /** Builds the work item of a leased row. */
  readonly toItem: (row: WebhookEvent) => WorkItem;
}

/** What became of a dropped hand-off. */
export type DropFate = 'deferred' | 'skipped';

/**
 * Hands rows leased at insert to the bounded queue, and decides what a drop means. A dropped hand-off is
 * never lost: it is `deferred` (lease released, so a scheduler delivers it) when the store is durable or
 * this dispatcher's scheduler runs, else recorded `skipped` with the reason (`queue.onDrop` overrides).
 *
 * @example
 * const row = await handoff.offer(insertedRow); // resolves once queued (or dropped and handled)
 */
export class QueueHandoff {
  constructor(private readonly context: QueueHandoffContext) {}

  /** `defer` or `skip`, by `queue.onDrop` (`auto`: defer with a durable store or a running scheduler). */
  dropHandling(): 'defer' | 'skip' {
    const { options, scheduler } = this.context;
    const mode = options.queue.onDrop;
    if (mode !== 'auto') return mode;
    return options.store.kind !== 'memory' || scheduler.isRunning ? 'defer' : 'skip';
  }

  /**
   * Offers a leased row to the queue and resolves with the row as it stands (settled when dropped and
   * skipped). With `block`, waits for room up to the timeout, then handles the drop and throws `QueueFullError`.
   */
  async offer(row: WebhookEvent): Promise<WebhookEvent> {
    const { queue, pool, options } = this.context;
    const item = this.context.toItem(row);
    let offered = queue.offer(item, item.origin);
    if (offered instanceof Promise) offered = await offered;
    if (offered.accepted) {
      pool.pump();
      if (offered.evicted !== undefined) await this.dropped(offered.evicted);
      return row;
    }
    const { fate, row: after } = await this.dropped(item);
    if (offered.reason === 'timeout') {
      const what = fate === 'deferred' ? 'deferred to the scheduler' : 'recorded as skipped';
      const { blockTimeoutMs, capacity } = options.queue;
      throw new QueueFullError(
        `queue full for ${blockTimeoutMs} ms (policy block, capacity ${capacity}); event ${row.id} is stored and ${what}`,
        { details: { id: row.id, fate } },
      );
    }
    return after;
  }

  /** Handles one dropped hand-off; resolves with its fate and the row as it now stands. */
  async dropped(item: WorkItem): Promise<{ fate: DropFate; row: WebhookEvent }> {
    const { options, runner, diagnostics, scheduler } = this.context;
    const { policy, capacity } = options.queue;
    const id = item.row.id;
    diagnostics.totals.dropped += 1;
    if (this.dropHandling() === 'defer') {
      diagnostics.totals.droppedDeferred += 1;
      await runner.release([id], options.workerId);
      scheduler.wake();
      options.logger.warn({ id, policy, capacity }, 'queue full: hand-off deferred to the scheduler');
      return { fate: 'deferred', row: item.row };
    }
    diagnostics.totals.droppedSkipped += 1;
    const reason = `dropped by queue policy ${policy} (capacity ${capacity})`;
    const row = await runner.settle(item.row, { workerId: options.workerId, direct: true }, reason);
    return { fate: 'skipped', row: row ?? item.row };
  }
}
