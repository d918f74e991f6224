import { type CommandIo, processIo } from './command-io.js';
import { wantsHelp } from './command-line.js';
import { endpointsCommand } from './endpoints-command.js';
import { describeError, EXIT_CODES, exitCodeOf, isUsageError } from './exit-codes.js';
import { COMMAND_HELP, type CommandName, isCommandName, MAIN_HELP } from './help-text.js';
import { inspectCommand } from './inspect-command.js';
import { replayCommand } from './replay-command.js';
import { runCommand } from './run-command.js';
import { statsCommand } from './stats-command.js';

const HANDLERS: Readonly<Record<CommandName, (argv: readonly string[], io: CommandIo) => Promise<number>>> = {
  run: runCommand,
  replay: replayCommand,
  inspect: inspectCommand,
  stats: statsCommand,
  endpoints: endpointsCommand,
};

/**
 * Runs `hooks-worker <command> ...args` and resolves with the exit code: 0 ok, 1 runtime failure,
 * 2 usage or configuration error (130, a forced stop, exits from inside `run`).
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    const topic = command === 'help' ? rest[0] : undefined;
    if (command === undefined) {
      io.stderr.write(MAIN_HELP);
      return EXIT_CODES.usage;
    }
    io.stdout.write(isCommandName(topic) ? COMMAND_HELP[topic] : MAIN_HELP);
    return EXIT_CODES.ok;
  }
  if (!isCommandName(command)) {
    io.stderr.write(`hooks-worker: unknown command ${JSON.stringify(command.slice(0, 40))}\n\n${MAIN_HELP}`);
    return EXIT_CODES.usage;
  }
  if (wantsHelp(rest)) {
    io.stdout.write(COMMAND_HELP[command]);
    return EXIT_CODES.ok;
  }
  try {
    return await HANDLERS[command](rest, io);
  } catch (error) {
    const code = exitCodeOf(error);
    const usage = isUsageError(error) ? `\n${COMMAND_HELP[command]}` : '';
    io.stderr.write(`hooks-worker ${command}: ${describeError(error)}\n${usage}`);
    return code;
  }
}
