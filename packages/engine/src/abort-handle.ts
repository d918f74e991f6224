/** Why an attempt was cut short. */
export type AbortReason = 'timeout' | 'shutdown';

/**
 * A one-shot abort switch for one delivery, shared by its total timeout and by shutdown. It holds at most
 * one listener (the request in flight), which is all a delivery needs: far cheaper per request than an
 * `AbortController` (an `EventTarget`) or an `EventEmitter`, which matters at thousands of deliveries a second.
 *
 * @example
 * const handle = new AbortHandle();
 * handle.onAbort(() => console.log('cut:', handle.reason));
 * setTimeout(() => handle.abort('timeout'), 15_000);
 */
export class AbortHandle {
  /** True once aborted. */
  aborted = false;
  /** Why it was aborted (undefined until then). */
  reason: AbortReason | undefined = undefined;
  private listener: (() => void) | undefined = undefined;

  /** Aborts (once): sets `aborted` and `reason` and calls the listener, if any. */
  abort(reason: AbortReason): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listener = this.listener;
    this.listener = undefined;
    listener?.();
  }

  /** Sets the one listener called on abort (replacing any earlier one); it is called at once if already aborted. */
  onAbort(listener: () => void): void {
    if (this.aborted) listener();
    else this.listener = listener;
  }

  /** Removes the listener. */
  clear(): void {
    this.listener = undefined;
  }
}
