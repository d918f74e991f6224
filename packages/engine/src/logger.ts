/** A pino-compatible logger: each level takes a context object and a message. */
export interface Logger {
  /** Fine-grained events (each attempt, each claim). */
  debug(obj: Record<string, unknown>, msg: string): void;
  /** Lifecycle events (scheduler started, stopped). */
  info(obj: Record<string, unknown>, msg: string): void;
  /** Something went wrong but the engine carries on (a failed attempt, a dropped hand-off). */
  warn(obj: Record<string, unknown>, msg: string): void;
  /** Something went wrong that needs attention (store unavailable, terminal failure). */
  error(obj: Record<string, unknown>, msg: string): void;
}

const noop = (): void => {};

/** The default logger: drops everything. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

const REDACTED = '[redacted]';
const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * The strings derived from a secret that must never be printed: the secret itself and, for a
 * `whsec_<base64>` secret, its base64 body, the base64url spelling and the raw key bytes as hex.
 */
export function secretVariants(secret: string): string[] {
  const variants = new Set<string>([secret]);
  const body = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (body.length >= 8) variants.add(body);
  if (/^[A-Za-z0-9+/=_-]+$/.test(body)) {
    const bytes = Buffer.from(body, 'base64');
    if (bytes.length >= 8) {
      variants.add(bytes.toString('hex'));
      variants.add(bytes.toString('hex').toUpperCase());
      variants.add(bytes.toString('base64'));
      variants.add(bytes.toString('base64url'));
    }
  }
  return [...variants].filter((variant) => variant.length >= 8).sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of any of `secrets` (see `secretVariants`) in `text` with `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** A short, single-line, redacted error text (at most `maxChars` characters). */
export function safeErrorText(text: string, secrets: readonly string[], maxChars = 500): string {
  const line = redact(text.replace(/\s+/g, ' ').trim(), secrets);
  return line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
}

function redactValue(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (depth > 4 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return redact(value.message, secrets);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactValue(item, secrets, depth + 1);
  return out;
}

/**
 * Wraps `logger` so that every message and every string in the context object is redacted of `secrets`
 * before it reaches the sink. A logger that throws never breaks delivery: its errors are swallowed.
 *
 * @example
 * const log = createRedactingLogger(pino(), secretVariants(process.env.WEBHOOK_SECRET!));
 * log.warn({ error: 'bad whsec_...' }, 'delivery failed'); // prints 'bad [redacted]'
 */
export function createRedactingLogger(logger: Logger, secrets: readonly string[]): Logger {
  if (logger === silentLogger) return silentLogger;
  const out = {} as Logger;
  for (const level of LEVELS) {
    out[level] = (obj, msg) => {
      try {
        logger[level](
          secrets.length === 0 ? obj : (redactValue(obj, secrets, 0) as Record<string, unknown>),
          redact(msg, secrets),
        );
      } catch {
        // a broken logger must never break delivery
      }
    };
  }
  return Object.freeze(out);
}
