import { ConfigurationError } from '@hooks/core';

/** What a setting's parser knows besides the raw text. */
export interface SettingContext {
  /** How the user spelled the setting (`--max-attempts` or `HOOKS_MAX_ATTEMPTS`), or the env name for defaults. */
  readonly name: string;
  /** The working directory relative paths resolve against. */
  readonly cwd: string;
}

/** One setting: an environment variable, the flag that overrides it, and how to read its text. */
export interface SettingSpec<T> {
  /** The environment variable, e.g. `HOOKS_MAX_ATTEMPTS`. */
  readonly env: string;
  /** The long flag without dashes, e.g. `max-attempts`. */
  readonly flag: string;
  /** One line for `--help`. */
  readonly description: string;
  /** The default, as shown by `--help`. */
  readonly defaultText: string;
  /** True when the value must never be echoed (secrets, URLs that may hold credentials). */
  readonly secret?: boolean;
  /** Reads the text (undefined when the setting is absent or empty); throws `ConfigurationError` naming it. */
  parse(raw: string | undefined, context: SettingContext): T;
}

/** A table of settings keyed by the configuration property they fill. */
export type SettingsTable = Record<string, SettingSpec<unknown>>;

/** The values a table of settings parses to. */
export type SettingValues<S extends SettingsTable> = { -readonly [K in keyof S]: ReturnType<S[K]['parse']> };

/**
 * Declares a setting (an identity function that keeps the value type).
 *
 * @example
 * const port = defineSetting({ env: 'PORT', flag: 'port', description: 'HTTP port', defaultText: '4010',
 *   parse: (raw, context) => integerValue(raw, context, { min: 0, max: 65535, fallback: 4010 }) });
 */
export function defineSetting<T>(spec: SettingSpec<T>): SettingSpec<T> {
  return Object.freeze({ ...spec });
}

/** The way a bad value is quoted in an error: JSON-escaped (so one line) and cut to 60 characters. */
export function quoteValue(raw: string): string {
  const cut = raw.length > 60 ? `${raw.slice(0, 57)}...` : raw;
  return JSON.stringify(cut);
}

/** A `ConfigurationError` whose message is one line naming the setting. */
export function settingError(name: string, message: string, cause?: unknown): ConfigurationError {
  return new ConfigurationError(`${name} ${message}`.replace(/[\r\n]+/g, ' '), {
    details: { field: name },
    cause,
  });
}

/** Options of `integerValue`. */
export interface IntegerRange {
  /** Smallest accepted value. */
  readonly min: number;
  /** Largest accepted value. */
  readonly max: number;
  /** The value when the setting is absent. */
  readonly fallback: number;
}

/** Reads a whole number in a range (`-3`, `1e3`, `1.5` and `12abc` are refused). */
export function integerValue(raw: string | undefined, context: SettingContext, range: IntegerRange): number {
  if (raw === undefined) return range.fallback;
  const value = /^[+-]?\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw settingError(
      context.name,
      `must be an integer from ${range.min} to ${range.max}, got ${quoteValue(raw)}`,
    );
  }
  return value;
}

/** Reads one of a fixed list of words (case-insensitive). */
export function choiceValue<T extends string>(
  raw: string | undefined,
  context: SettingContext,
  choices: readonly T[],
  fallback: T,
): T {
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  const found = choices.find((choice) => choice === lower);
  if (found === undefined) {
    throw settingError(context.name, `must be one of ${choices.join(', ')}, got ${quoteValue(raw)}`);
  }
  return found;
}

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/** Reads a switch: `on`/`off`, `true`/`false`, `yes`/`no` or `1`/`0`. */
export function booleanValue(raw: string | undefined, context: SettingContext, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  if (TRUE_WORDS.includes(lower)) return true;
  if (FALSE_WORDS.includes(lower)) return false;
  throw settingError(context.name, `must be on or off (true/false, yes/no, 1/0), got ${quoteValue(raw)}`);
}
