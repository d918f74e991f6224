/** One HTTP attempt to deliver an event, kept so a person can read the history. */
export interface DeliveryAttempt {
  /** The event this attempt belongs to. */
  readonly eventId: string;
  /** 1 for the first attempt (numbering restarts after a replay; see `replayCount`). */
  readonly attemptNumber: number;
  /** The event's replay count when the attempt was made. */
  readonly replayCount: number;
  /** When the request started. */
  readonly startedAt: Date;
  /** When the response (or the failure) came. */
  readonly finishedAt: Date;
  /** Wall time of the attempt, in milliseconds. */
  readonly durationMs: number;
  /** HTTP status, or null when no response came back. */
  readonly responseStatus: number | null;
  /** Start of the response body (capped). */
  readonly responseBody: string | null;
  /** Why the attempt failed (never contains a secret), or null on success. */
  readonly error: string | null;
  /** The headers that were sent (signature headers included; never a secret). */
  readonly requestHeaders: Readonly<Record<string, string>> | null;
  /** The worker that made the attempt. */
  readonly workerId: string | null;
}

/** What a worker reports about one attempt when recording its outcome. */
export interface AttemptReport {
  /** When the request started. */
  startedAt: Date;
  /** When it finished. */
  finishedAt: Date;
  /** HTTP status, or null when no response came back. */
  responseStatus?: number | null;
  /** Start of the response body (the store caps it again). */
  responseBody?: string | null;
  /** Why it failed, or null. */
  error?: string | null;
  /** The headers that were sent. */
  requestHeaders?: Record<string, string> | null;
}
