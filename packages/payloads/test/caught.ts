import { PayloadValidationError } from '../src/index.js';

/** The error `run` throws; throws itself (failing the test) when `run` returns normally. */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but nothing was thrown');
}

/** The PayloadValidationError `run` throws; any other outcome fails the test. */
export function caught(run: () => unknown): PayloadValidationError {
  const error = thrown(run);
  if (error instanceof PayloadValidationError) return error;
  throw error;
}
