import { parseArgs } from 'node:util';
import {
  parseSettings,
  type SettingsSource,
  type SettingsTable,
  type SettingValues,
} from '@hooks/app-shared';
import { UsageError } from './exit-codes.js';

/** What a command accepts besides the environment-backed settings. */
export interface CommandSpec<S extends SettingsTable> {
  /** Settings read from a flag or its environment variable (parsed by `@hooks/app-shared`). */
  readonly settings: S;
  /** Flags that take a value and have no environment variable (e.g. `limit`). */
  readonly options?: readonly string[];
  /** Flags that take a value and may be given more than once (e.g. `target-url`); no environment variable. */
  readonly repeatable?: readonly string[];
  /** Flags without a value (e.g. `dry-run`, `json`). */
  readonly switches?: readonly string[];
  /** Names of the positional arguments, in order (all required). */
  readonly positionals?: readonly string[];
}

/** A command line read against a `CommandSpec`. */
export interface CommandLine<S extends SettingsTable> {
  /** The settings (flag, else environment, else default). */
  readonly settings: SettingValues<S>;
  /** The value flags that were given. */
  readonly options: Readonly<Record<string, string>>;
  /** The values of each repeatable flag, in the order given (absent flags are absent). */
  readonly lists: Readonly<Record<string, readonly string[]>>;
  /** The switches that were given. */
  readonly switches: ReadonlySet<string>;
  /** The positional arguments. */
  readonly positionals: readonly string[];
}

function usageError(error: unknown): UsageError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : '';
  const name = /'(-{1,2}[A-Za-z0-9][A-Za-z0-9-]*)/.exec(message)?.[1];
  let text = 'the command line could not be read';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && name !== undefined) text = `unknown option ${name}`;
  else if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && name !== undefined)
    text = `${name} needs a value`;
  return new UsageError(text, { cause: error, details: { field: name ?? 'argv' } });
}

function readArgs(argv: readonly string[], options: Record<string, { type: 'string' | 'boolean' }>) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    throw usageError(error);
  }
}

/** True when `--help` or `-h` is among the arguments (before a `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/**
 * Reads a command's arguments with `node:util` parseArgs (strict): settings through `@hooks/app-shared`'s
 * `parseSettings` (so flags and environment mean the same in every app), plus value flags (a repeatable one
 * collects every value), switches and positionals. Throws `UsageError` for an unknown flag, a missing value
 * or a wrong number of arguments, and the setting's one-line `ConfigurationError` for a bad value.
 *
 * @example
 * const line = parseCommandLine(['--json'], { settings: { database: SHARED_SETTINGS.database }, switches: ['json'] });
 */
export function parseCommandLine<S extends SettingsTable>(
  argv: readonly string[],
  spec: CommandSpec<S>,
  source: Omit<SettingsSource, 'argv'> = {},
): CommandLine<S> {
  const settingFlags = new Set(Object.values(spec.settings).map((setting) => setting.flag));
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const flag of settingFlags) options[flag] = { type: 'string' };
  for (const flag of [...(spec.options ?? []), ...(spec.repeatable ?? [])])
    options[flag] = { type: 'string' };
  for (const flag of spec.switches ?? []) options[flag] = { type: 'boolean' };
  const parsed = readArgs(argv, options);
  const names = spec.positionals ?? [];
  if (parsed.positionals.length > names.length) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(parsed.positionals[names.length]!.slice(0, 60))}`,
    );
  }
  if (parsed.positionals.length < names.length) {
    throw new UsageError(`missing <${names[parsed.positionals.length]}>`);
  }
  const settingArgs: string[] = [];
  const values: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  const repeatable = new Set(spec.repeatable ?? []);
  const switches = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    if (settingFlags.has(token.name)) settingArgs.push(`--${token.name}=${token.value ?? ''}`);
    else if (repeatable.has(token.name) && typeof token.value === 'string')
      lists[token.name] = [...(lists[token.name] ?? []), token.value];
    else if (typeof token.value === 'string') values[token.name] = token.value;
    else switches.add(token.name);
  }
  const { values: settings } = parseSettings(spec.settings, { ...source, argv: settingArgs });
  return Object.freeze({
    settings,
    options: Object.freeze(values),
    lists: Object.freeze(lists),
    switches,
    positionals: Object.freeze([...parsed.positionals]),
  });
}
