import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { createStandardWebhooksScheme } from '@hooks/signing';

/** A fixed, known secret (32 random-looking bytes) so tests can look for it everywhere. */
export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** A scheme that verifies what the engine signed with `SECRET`. */
export const VERIFIER = createStandardWebhooksScheme({ secret: SECRET });

/** Verifies one received request; returns the signed id and timestamp or throws. */
export function verify(
  body: string,
  headers: IncomingHttpHeaders,
): { id: string | undefined; timestamp: Date | undefined } {
  return VERIFIER.verify(body, headers as Record<string, string>);
}

/** Resolves once `condition()` is true (polling every 5 ms); rejects with `message` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  message: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A clock tests move by hand. */
export interface ManualClock {
  (): Date;
  /** Moves the clock forward. */
  advance(ms: number): void;
  /** Current time in ms. */
  readonly ms: number;
}

/** A manual clock starting at `start` (default now, rounded to the second). */
export function manualClock(start = Math.floor(Date.now() / 1000) * 1000): ManualClock {
  let now = start;
  const clock = (() => new Date(now)) as ManualClock;
  clock.advance = (ms: number) => {
    now += ms;
  };
  Object.defineProperty(clock, 'ms', { get: () => now });
  return clock;
}

/** Captures every log line (all levels) of a pino-compatible logger. */
export function captureLogger(): {
  logger: { debug: Fn; info: Fn; warn: Fn; error: Fn };
  lines: { level: string; obj: Record<string, unknown>; msg: string }[];
  text(): string;
} {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at =
    (level: string): Fn =>
    (obj, msg) => {
      lines.push({ level, obj, msg });
    };
  return {
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    lines,
    text: () => lines.map((line) => `${line.level} ${line.msg} ${JSON.stringify(line.obj)}`).join('\n'),
  };
}

type Fn = (obj: Record<string, unknown>, msg: string) => void;

/** A local port nothing listens on (bound once, then closed): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The SSRF guard setting of tests that deliver to a receiver on 127.0.0.1 (the guard refuses loopback by default). */
export const ALLOW_LOOPBACK = Object.freeze({ allowLoopback: true });
