import { describe, expect, it } from 'vitest';
import { parseCli } from '../src/cli-options.js';

describe('parseCli', () => {
  it('runs every section at concurrency 16, 64 and 256 with 8000 events by default', () => {
    const cli = parseCli([]);
    expect(cli.sections).toEqual(['delivery', 'scale', 'notifier', 'signing']);
    expect(cli.concurrencies).toEqual([16, 64, 256]);
    expect(cli.events).toBe(8000);
    expect(cli.warmup).toBe(1000);
    expect(cli.modes).toEqual(['single', 'batch']);
    expect(cli.outDir.endsWith('/bench/results')).toBe(true);
    expect(cli.scale.sizes).toEqual([10_000, 100_000, 1_000_000]);
  });

  it('makes --quick a small run written to results/quick, with or without a `--` separator', () => {
    for (const argv of [['--quick'], ['--', '--quick']]) {
      const cli = parseCli(argv);
      expect(cli.quick).toBe(true);
      expect(cli.events).toBe(1000);
      expect(cli.warmup).toBe(200);
      expect(cli.concurrencies).toEqual([64]);
      expect(cli.modes).toEqual(['single']);
      expect(cli.outDir.endsWith('/bench/results/quick')).toBe(true);
      expect(cli.notesFile).toBeUndefined();
    }
  });

  it('reads values given as `--flag value` and `--flag=value`', () => {
    const cli = parseCli([
      '--only=delivery,signing',
      '--n',
      '500',
      '--concurrency=8,32',
      '--profile',
      'memory',
    ]);
    expect(cli.sections).toEqual(['delivery', 'signing']);
    expect(cli.events).toBe(500);
    expect(cli.warmup).toBe(100);
    expect(cli.concurrencies).toEqual([8, 32]);
    expect(cli.profile?.test('memory-enqueue-1-worker-c64')).toBe(true);
  });

  it.each([
    [['--fast'], 'unknown option --fast'],
    [['--only', 'nope'], 'unknown section nope'],
    [['--n', '0'], '--n needs a positive integer, got 0'],
    [['--concurrency', '16,x'], '--concurrency needs a positive integer, got x'],
    [['--n'], '--n needs a value'],
  ])('refuses %j with a message naming the problem', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });
});
