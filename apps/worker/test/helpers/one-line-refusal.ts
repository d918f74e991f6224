import { expect } from 'vitest';
import type { CliResult } from './worker-process.js';

/** Asserts a refusal: exit 2, nothing on stdout, one stderr line holding `message`, and never `secret`. */
export function expectOneLineRefusal(result: CliResult, message: string, secret: string): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(message);
  expect(result.stderr).not.toContain(secret);
}
