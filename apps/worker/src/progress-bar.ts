import type { OutputTarget } from './output.js';

/** A progress bar for a long operation. */
export interface ProgressBar {
  /** Sets how much is done. */
  update(done: number): void;
  /** Clears the bar's line. */
  finish(): void;
}

const WIDTH = 30;

/**
 * A progress bar drawn on `stream` (stderr by default) when it is a terminal; silent otherwise, so piped
 * output stays clean JSON.
 *
 * @example
 * const bar = createProgressBar('replaying', 1200);
 * bar.update(400);
 * bar.finish();
 */
export function createProgressBar(
  label: string,
  total: number,
  stream: OutputTarget = process.stderr,
): ProgressBar {
  if (stream.isTTY !== true || total <= 0) return { update: () => undefined, finish: () => undefined };
  const draw = (done: number): void => {
    const ratio = Math.min(1, Math.max(0, done / total));
    const filled = Math.round(ratio * WIDTH);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
    stream.write(`\r${label} [${bar}] ${String(Math.round(ratio * 100)).padStart(3)}% ${done}/${total}`);
  };
  draw(0);
  return {
    update: draw,
    finish: () => {
      stream.write('\r\u001b[2K');
    },
  };
}
