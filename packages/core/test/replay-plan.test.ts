import { describe, expect, it } from 'vitest';
import { planReplay } from '../src/index.js';

const at = new Date('2026-01-01T00:00:00Z');
const rows = [
  { id: 'evt_a', eventType: 'x', status: 'failed' as const, replayCount: 0, insertedAt: at },
  { id: 'evt_b', eventType: 'x', status: 'failed' as const, replayCount: 5, insertedAt: at },
  { id: 'evt_c', eventType: 'y', status: 'skipped' as const, replayCount: 4, insertedAt: at },
];

describe('planReplay', () => {
  it('resets the rows under the cap and reports the others', () => {
    const { resetIds, report } = planReplay(rows, { maxReplays: 5, dryRun: false });
    expect(resetIds).toEqual(['evt_a', 'evt_c']);
    expect(report).toMatchObject({ dryRun: false, matched: 3, eligible: 2, replayed: 2, skippedForCap: 1 });
    expect(report.candidates.map((candidate) => candidate.eligible)).toEqual([true, false, true]);
  });

  it('resets nothing in a dry run but reports what it would do', () => {
    const { resetIds, report } = planReplay(rows, { maxReplays: 1, dryRun: true });
    expect(resetIds).toEqual([]);
    expect(report).toMatchObject({ dryRun: true, matched: 3, eligible: 1, replayed: 0, skippedForCap: 2 });
  });

  it('copies only the candidate fields', () => {
    const { report } = planReplay([{ ...rows[0]!, payload: { secret: 'no' } } as never], {
      maxReplays: 1,
      dryRun: true,
    });
    expect(Object.keys(report.candidates[0]!).sort()).toEqual(
      ['eligible', 'eventType', 'id', 'insertedAt', 'replayCount', 'status'].sort(),
    );
  });
});
