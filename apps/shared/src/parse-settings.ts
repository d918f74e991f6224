import { parseArgs } from 'node:util';
import { ConfigurationError } from '@hooks/core';
import type { SettingsTable, SettingValues } from './setting-spec.js';

/** Where settings come from. */
export interface SettingsSource {
  /** Command-line arguments without `node` and the script (default `process.argv.slice(2)`). */
  argv?: readonly string[];
  /** Environment variables (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths resolve against (default `process.cwd()`). */
  cwd?: string;
}

/** What `parseSettings` found: the values, and whether `--help` was asked for. */
export interface ParsedSettings<S extends SettingsTable> {
  /** Every setting's value (flag, else environment, else default). */
  values: SettingValues<S>;
  /** True when `--help` or `-h` was given (the values are still parsed). */
  help: boolean;
}

function optionName(message: string): string | undefined {
  return /'(-{1,2}[A-Za-z0-9][A-Za-z0-9-]*)/.exec(message)?.[1];
}

/** Turns a `node:util` parseArgs failure into one line that never echoes a value. */
function argumentError(error: unknown): ConfigurationError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : '';
  // A stray argument is quoted whole ('--x=1' after '--'): it names no option of ours.
  const name = code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? undefined : optionName(message);
  let text = 'the command line could not be read (run with --help to list the settings)';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && name !== undefined) {
    text = `unknown option ${name} (run with --help to list the settings)`;
  } else if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && name !== undefined) {
    text = `${name} needs a value, e.g. ${name}=<value>`;
  } else if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    text = 'unexpected argument: settings are given as --name=value (run with --help to list them)';
  }
  // The cause keeps parseArgs' code, not its message: that quotes a stray argument, which may be a secret.
  const cause = Object.assign(new Error(`node:util parseArgs failed (${String(code)})`), { code });
  return new ConfigurationError(text, { cause, details: { field: name ?? 'argv' } });
}

/**
 * Reads every setting of `table` from flags and the environment (a flag wins over its variable; an empty
 * value counts as absent) and parses it. Throws `ConfigurationError` with one line naming the bad setting.
 *
 * @example
 * const { values } = parseSettings(SHARED_SETTINGS, { argv: ['--max-attempts=3'], env: process.env });
 */
export function parseSettings<S extends SettingsTable>(
  table: S,
  source: SettingsSource = {},
): ParsedSettings<S> {
  const argv = source.argv ?? process.argv.slice(2);
  const env = source.env ?? process.env;
  const cwd = source.cwd ?? process.cwd();
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const spec of Object.values(table)) options[spec.flag] = { type: 'string' };
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (error) {
    throw argumentError(error);
  }
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    const flag = flags[spec.flag];
    const fromFlag = typeof flag === 'string' && flag.trim() !== '';
    const raw = fromFlag ? flag : env[spec.env];
    const present = typeof raw === 'string' && raw.trim() !== '';
    const name = fromFlag ? `--${spec.flag}` : spec.env;
    values[key] = spec.parse(present ? raw.trim() : undefined, { name, cwd });
  }
  return { values: values as SettingValues<S>, help: flags.help === true };
}

/**
 * The `--help` text: one line per setting with its flag, variable, default and description.
 *
 * @example
 * console.log(formatHelp('hooks-mock-server', { ...SHARED_SETTINGS, ...MOCK_SERVER_SETTINGS }));
 */
export function formatHelp(command: string, table: SettingsTable): string {
  const rows = Object.values(table).map((spec) => [
    `--${spec.flag}`,
    spec.env,
    spec.defaultText,
    spec.description,
  ]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) =>
    row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join('  '),
  );
  return [
    `Usage: ${command} [--name=value ...]`,
    '',
    'Every setting is a flag or an environment variable; a flag wins. Defaults in the third column.',
    '',
    ...lines.map((line) => `  ${line}`),
    '',
  ].join('\n');
}
