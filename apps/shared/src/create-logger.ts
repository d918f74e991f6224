import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from './shared-settings.js';

/** Paths pino replaces with `[redacted]` in every log line. */
export const REDACTED_PATHS: readonly string[] = Object.freeze([
  'secret',
  '*.secret',
  'webhookSecret',
  '*.webhookSecret',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'databaseUrl',
  '*.databaseUrl',
  'connectionString',
  '*.connectionString',
  'access_token',
  '*.access_token',
]);

/** Query parameters whose values request logs replace with `[redacted]` (tokens and secrets sent in URLs). */
const SECRET_QUERY_KEY = /secret|token|password|passwd|api[-_]?key|signature|auth|code|session|credential/i;

/** `url` with the values of secret-looking query parameters replaced by `[redacted]`. */
export function redactUrlQuery(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1) return pair;
      let key = pair.slice(0, equals);
      try {
        key = decodeURIComponent(key.replaceAll('+', ' '));
      } catch {
        return `${pair.slice(0, equals)}=[redacted]`;
      }
      return SECRET_QUERY_KEY.test(key) ? `${pair.slice(0, equals)}=[redacted]` : pair;
    });
  return `${url.slice(0, mark)}?${query.join('&')}`;
}

/** How a request appears in log lines: method, URL with secret query values redacted, host, client address. */
function serializeRequest(request: {
  method?: string;
  url?: string;
  host?: string;
  hostname?: string;
  ip?: string;
  socket?: { remoteAddress?: string };
}): Record<string, unknown> {
  return {
    method: request.method,
    url: typeof request.url === 'string' ? redactUrlQuery(request.url) : request.url,
    host: request.host ?? request.hostname,
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
  };
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** Minimum level (default `info`). */
  level?: LogLevel;
  /** Human-readable lines via pino-pretty (default: when stdout is a terminal). */
  pretty?: boolean;
  /** Where JSON lines go (default stdout, written synchronously); ignored when `pretty` is on. */
  destination?: DestinationStream;
  /** Extra fields on every line (e.g. `{ app: 'mock-server' }`). */
  base?: Record<string, unknown>;
}

/**
 * A pino logger: JSON lines (pretty when stdout is a terminal) with secrets, passwords, authorization
 * headers and database URLs redacted.
 *
 * @example
 * const logger = createLogger({ level: config.logLevel, base: { app: 'mock-server' } });
 * logger.info({ port: 4010 }, 'listening');
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const usePretty = options.pretty ?? process.stdout.isTTY === true;
  const settings = {
    level: options.level ?? 'info',
    base: options.base ?? {},
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    serializers: { req: serializeRequest },
  };
  if (usePretty) {
    return pino(
      settings,
      pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
    );
  }
  // Synchronous writes: a process whose stdout reader went away must still exit on SIGTERM, not retry
  // buffered lines forever.
  return pino(settings, options.destination ?? pino.destination({ dest: 1, sync: true }));
}
