import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A worker id unique to this process: `<hostname>-<pid>-<6 random hex>` (at most 200 characters).
 *
 * @example
 * createWorkerId(); // 'api-7f9c-4312-a1b2c3'
 */
export function createWorkerId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 120) || 'host';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
