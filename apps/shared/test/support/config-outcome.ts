import { ConfigurationError, type HooksError, InvalidInputError } from '@hooks/core';
import { expect } from 'vitest';

/** Every message along an error's `cause` chain, with its details serialised (what a log could show). */
function causeTexts(error: unknown): string[] {
  const texts: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    texts.push(current.message, JSON.stringify((current as HooksError).details ?? null));
    current = current.cause;
  }
  return texts;
}

/**
 * Runs `work` (reading a configuration). It must return, or throw one `ConfigurationError` or
 * `InvalidInputError` whose message is one line naming the setting (`details.field`, also in the message)
 * and whose cause chain echoes none of `secrets`. Anything else (a TypeError, a RangeError) fails the test.
 * Returns the error, or undefined when `work` returned.
 *
 * @example
 * const error = expectConfigOrClearError(() => loadConfig({ env, argv: [] }), [secret]);
 */
export function expectConfigOrClearError(
  work: () => unknown,
  secrets: readonly string[] = [],
): HooksError | undefined {
  let error: unknown;
  try {
    work();
    return undefined;
  } catch (thrown) {
    error = thrown;
  }
  const kind = ConfigurationError.isInstance(error) || InvalidInputError.isInstance(error);
  expect(kind, `not a configuration error: ${String(error)}`).toBe(true);
  const { message, details } = error as HooksError;
  expect(message, 'one line').not.toMatch(/[\r\n]/);
  expect(message.length).toBeLessThan(400);
  const field = details?.field;
  expect(typeof field, `no details.field in: ${message}`).toBe('string');
  if (field === 'argv') expect(message).toMatch(/argument|command line/);
  else expect(message, 'the message names the setting').toContain(String(field));
  for (const secret of secrets) {
    if (secret.length < 6) continue;
    for (const text of causeTexts(error)) expect(text, 'a secret is echoed').not.toContain(secret);
  }
  return error as HooksError;
}
