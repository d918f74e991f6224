import type { WebhookEvent } from '@hooks/core';

/** One leased row waiting for (or in) an attempt in this process. */
export interface WorkItem {
  /** The row as leased to this process. */
  readonly row: WebhookEvent;
  /** The receiver's origin: the lane for per-origin limits. */
  readonly origin: string;
  /** `handoff`: from enqueue through the bounded queue; `scheduler`: claimed by the scheduler. */
  readonly source: 'handoff' | 'scheduler';
}

/** The lane used for a row without a target URL (it is recorded `skipped`, never sent). */
export const NO_ORIGIN = 'none:';
