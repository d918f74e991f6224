import * as core from '@hooks/core';
import * as signing from '@hooks/signing';
import { describe, expect, it } from 'vitest';
// The build of this package (CI builds every package before testing).
import * as engine from '../dist/index.js';

// The packages are built without esbuild's keepNames (it cost a defineProperty per closure per delivery):
// the error classes of the built @hooks/core, @hooks/signing and this package must still report
// their own names.
describe('error class names in the built dependencies', () => {
  const errorClasses = (module: Record<string, unknown>) =>
    Object.entries(module).filter(
      (entry): entry is [string, new (...args: never[]) => Error] =>
        typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
    );

  it.each([
    ['@hooks/core', core],
    ['@hooks/signing', signing],
    ['@hooks/engine', engine],
  ])('%s: every exported error class has its export name', (_name, module) => {
    const classes = errorClasses(module as Record<string, unknown>);
    expect(classes.length).toBeGreaterThanOrEqual(2);
    for (const [exported, ErrorClass] of classes) expect(ErrorClass.name).toBe(exported);
  });

  it('a thrown core error reports its class name', () => {
    const error = new core.InvalidInputError('x is wrong', { details: { field: 'x' } });
    expect(error.name).toBe('InvalidInputError');
    expect(String(error)).toBe('InvalidInputError: x is wrong');
  });
});
