import { describeError, EXIT_CODES } from './exit-codes.js';
import { main } from './worker-cli.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`hooks-worker: ${describeError(error)}\n`);
    process.exit(EXIT_CODES.failure);
  },
);
