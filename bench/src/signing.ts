import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One row of the signing benchmark (`packages/signing/bench/signing.bench.ts`). */
export interface SigningRow {
  /** `sign` or `verify`. */
  op: 'sign' | 'verify';
  /** Body size in bytes. */
  size: number;
  /** Implementation. */
  name: string;
  /** Median operations per second (CPU time). */
  opsPerSec: number;
  /** Median per-round ratio to raw node:crypto (null for the raw baseline itself). */
  ratioToRaw: number | null;
}

/** What the signing benchmark reported. */
export interface SigningResult {
  /** The command that produced it. */
  command: string;
  /** Its method description (rounds, clock, statistic). */
  method: unknown;
  /** Its rows. */
  rows: SigningRow[];
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS_FILE = fileURLToPath(
  new URL('../../packages/signing/bench/results/signing.json', import.meta.url),
);

function parse(text: string): { method: unknown; rows: SigningRow[] } | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith('{"node"'));
  return line === undefined ? undefined : (JSON.parse(line) as { method: unknown; rows: SigningRow[] });
}

/**
 * Runs the signing package's own benchmark (`pnpm --filter @hooks/signing bench`: sign and verify ops/s at
 * 1 KiB and 64 KiB for @hooks/signing, raw node:crypto and `standardwebhooks`) as a child process and
 * reads its JSON: the one-line JSON it prints, else the results file it writes (if written by this run).
 *
 * @example
 * const { rows } = await runSigningBench((line) => console.error(line));
 */
export async function runSigningBench(log: (line: string) => void): Promise<SigningResult> {
  const command = 'pnpm --filter @hooks/signing bench';
  const startedAt = Date.now();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('pnpm', ['--filter', '@hooks/signing', 'bench'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => log(chunk.toString().trimEnd()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${command} exited with code ${code}`)),
    );
  });
  let report = parse(output);
  if (report === undefined && existsSync(RESULTS_FILE) && statSync(RESULTS_FILE).mtimeMs >= startedAt) {
    report = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as { method: unknown; rows: SigningRow[] };
  }
  if (report === undefined) throw new Error(`${command} printed no JSON and wrote no results file`);
  return { command, method: report.method, rows: report.rows };
}
