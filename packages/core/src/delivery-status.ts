/** Where an event is in its delivery lifecycle. */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'skipped';

/** A status after which the engine never delivers the event again, except by an explicit replay. */
export type TerminalStatus = Exclude<DeliveryStatus, 'pending'>;

/** Every delivery status, in lifecycle order. */
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = Object.freeze([
  'pending',
  'delivered',
  'failed',
  'skipped',
]);

/** The terminal statuses. */
export const TERMINAL_STATUSES: readonly TerminalStatus[] = Object.freeze(['delivered', 'failed', 'skipped']);

/** True for `pending`, `delivered`, `failed` and `skipped`. */
export function isDeliveryStatus(value: unknown): value is DeliveryStatus {
  return typeof value === 'string' && (DELIVERY_STATUSES as readonly string[]).includes(value);
}

/** True for a status the engine never leaves on its own (`delivered`, `failed`, `skipped`). */
export function isTerminalStatus(value: unknown): value is TerminalStatus {
  return typeof value === 'string' && (TERMINAL_STATUSES as readonly string[]).includes(value);
}
