import { readFileSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { ConfigurationError, type JsonValue } from '@hooks/core';
import { type Logger, safeErrorText } from './logger.js';

/** One event the notifier gave up on (failed or skipped), kept so it can be replayed. */
export interface FailureRecord {
  /** The event id (the `webhook-id` it was sent with). */
  readonly id: string;
  /** The event type. */
  readonly eventType: string;
  /** The payload, to send again on replay. */
  readonly payload: JsonValue;
  /** Why it failed: short, capped, redacted. */
  readonly error: string;
  /** Attempts made. */
  readonly attempts: number;
  /** Last HTTP status, if any. */
  readonly responseStatus: number | null;
  /** When it was recorded (ISO 8601). */
  readonly at: string;
}

/** Options of the failure store. */
export interface FailureStoreOptions {
  /** Most records kept; the oldest are dropped first (default 200). */
  maxRecords?: number;
  /** Persist the records to this JSON file (written atomically: temp file + rename) and load it at start. */
  path?: string;
  /** Longest error text kept, in characters (default 500). */
  maxErrorChars?: number;
}

/**
 * A bounded list of failure records (newest kept), optionally persisted to a JSON file that is written
 * atomically, so a crash never leaves a half-written file.
 *
 * @example
 * const failures = new FailureStore({ maxRecords: 200, path: '.data/webhook-failures.json' }, [], logger);
 * failures.add(record);
 * await failures.flush();
 */
export class FailureStore {
  private records: FailureRecord[] = [];
  private readonly maxRecords: number;
  private readonly maxErrorChars: number;
  private readonly path: string | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;

  constructor(
    options: FailureStoreOptions,
    private readonly secrets: readonly string[],
    private readonly logger: Logger,
  ) {
    this.maxRecords = options.maxRecords ?? 200;
    this.maxErrorChars = options.maxErrorChars ?? 500;
    if (!Number.isInteger(this.maxRecords) || this.maxRecords < 1 || this.maxRecords > 100_000) {
      throw new ConfigurationError('failureStore.maxRecords must be an integer from 1 to 100000', {
        details: { field: 'failureStore.maxRecords' },
      });
    }
    if (options.path !== undefined && (typeof options.path !== 'string' || options.path === '')) {
      throw new ConfigurationError('failureStore.path must be a non-empty file path', {
        details: { field: 'failureStore.path' },
      });
    }
    this.path = options.path;
    if (this.path !== undefined) this.load(this.path);
  }

  /** Number of records held. */
  get size(): number {
    return this.records.length;
  }

  /** Copies of the records, oldest first. */
  list(): FailureRecord[] {
    return this.records.map((record) => ({ ...record }));
  }

  /** The record for `id`, if any. */
  get(id: string): FailureRecord | undefined {
    const record = this.records.find((item) => item.id === id);
    return record === undefined ? undefined : { ...record };
  }

  /** Adds (or replaces) the record for its id, capping and redacting the error; drops the oldest beyond the cap. */
  add(record: FailureRecord): void {
    const clean = { ...record, error: safeErrorText(record.error, this.secrets, this.maxErrorChars) };
    this.records = this.records.filter((item) => item.id !== record.id);
    this.records.push(clean);
    if (this.records.length > this.maxRecords) this.records.splice(0, this.records.length - this.maxRecords);
    this.persist();
  }

  /** Removes the record for `id` (e.g. replayed and delivered); true when there was one. */
  remove(id: string): boolean {
    const before = this.records.length;
    this.records = this.records.filter((item) => item.id !== id);
    if (this.records.length === before) return false;
    this.persist();
    return true;
  }

  /** Resolves when every change so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  private load(path: string): void {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') {
        this.logger.warn(
          { code: (error as { code?: string }).code },
          'could not read the failure store; starting empty',
        );
      }
      return;
    }
    try {
      const parsed = JSON.parse(text) as { records?: unknown };
      const records = Array.isArray(parsed.records) ? (parsed.records as FailureRecord[]) : [];
      this.records = records
        .filter((record) => typeof record?.id === 'string' && typeof record.eventType === 'string')
        .slice(-this.maxRecords);
    } catch {
      this.logger.warn({}, 'the failure store file is not valid JSON; starting empty');
    }
  }

  private persist(): void {
    if (this.path === undefined) return;
    this.dirty = true;
    if (this.writing !== undefined) return;
    this.writing = this.writeLoop(this.path).finally(() => {
      this.writing = undefined;
    });
  }

  private async writeLoop(path: string): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
      try {
        await writeFile(temp, JSON.stringify({ version: 1, records: this.records }, null, 2), 'utf8');
        await rename(temp, path);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        this.logger.warn({ code: (error as { code?: string }).code }, 'could not write the failure store');
      }
    }
  }
}
