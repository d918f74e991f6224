import { verificationError } from './signing-errors.js';

/** Longest header value verify reads (8 KiB); a longer value is refused as garbled. */
export const MAX_HEADER_LENGTH = 8192;

/** Anything with a case-insensitive `get(name)`, such as the Fetch API's `Headers`. */
export interface HeaderLookup {
  /** Returns the header's value, or null/undefined when absent. */
  get(name: string): string | null | undefined;
}

/** Request headers: a Fetch `Headers`, or a plain object such as Node's `IncomingHttpHeaders`. */
export type HeadersInput = HeaderLookup | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Reads one header case-insensitively; `name` must be lower-case. Returns undefined when absent or empty.
 * Arrays (repeated headers) are joined with ", " like Node and `Headers` do. Throws on a wrong type.
 */
export function readHeader(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) {
    throw verificationError('HOOKS_ERR_SIGNATURE_HEADERS', 'Headers must be an object or a Headers instance');
  }
  const lookup = (headers as Partial<HeaderLookup>).get;
  let value: unknown;
  if (typeof lookup === 'function') {
    value = lookup.call(headers, name);
  } else {
    const record = headers as Record<string, unknown>;
    value = record[name];
    if (value === undefined) value = findIgnoringCase(record, name);
  }
  return headerText(value, name);
}

function findIgnoringCase(record: Record<string, unknown>, name: string): unknown {
  for (const key of Object.keys(record)) {
    if (key.length === name.length && key.toLowerCase() === name) return record[key];
  }
  return undefined;
}

function headerText(value: unknown, name: string): string | undefined {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === undefined || value === null) return undefined;
  else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) text = value.join(', ');
  else throw verificationError('HOOKS_ERR_SIGNATURE_HEADERS', `Header ${name} must be a string`);
  if (text.length > MAX_HEADER_LENGTH) {
    throw verificationError(
      'HOOKS_ERR_SIGNATURE_HEADERS',
      `Header ${name} is longer than ${MAX_HEADER_LENGTH}`,
    );
  }
  return text === '' ? undefined : text;
}
