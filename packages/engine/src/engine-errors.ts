import { HooksError, type HooksErrorOptions } from '@hooks/core';

/** The in-process queue stayed full for the whole `block` timeout; the event itself is stored. */
export class QueueFullError extends HooksError {
  /** The code every QueueFullError carries. */
  static readonly errorCode = 'HOOKS_ERR_QUEUE_FULL';
  constructor(message: string, options?: HooksErrorOptions) {
    super(new.target.errorCode, message, options);
  }
}

/** The dispatcher or notifier was closed; it accepts no more work. */
export class ClosedError extends HooksError {
  /** The code every ClosedError carries. */
  static readonly errorCode = 'HOOKS_ERR_CLOSED';
  constructor(message: string, options?: HooksErrorOptions) {
    super(new.target.errorCode, message, options);
  }
}
