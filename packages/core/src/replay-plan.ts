import type { NormalisedReplay } from './replay-input.js';
import type { ReplayCandidate, ReplayReport } from './webhook-store.js';

/** A row a replay's selector matched, before the cap is applied. */
export type ReplayMatch = Omit<ReplayCandidate, 'eligible'>;

/** What a store does for a replay: the ids to reset (none in a dry run) and the report to return. */
export interface ReplayPlan {
  /** Ids to reset to pending (empty in a dry run). */
  resetIds: string[];
  /** The report for the caller. */
  report: ReplayReport;
}

/**
 * Applies the replay cap to the matched rows (oldest first) and builds the report, so every store reports
 * replays the same way.
 *
 * @example
 * const { resetIds, report } = planReplay(rows.map(toMatch), normaliseReplay(selector, options));
 */
export function planReplay(
  matched: readonly ReplayMatch[],
  replay: Pick<NormalisedReplay, 'maxReplays' | 'dryRun'>,
): ReplayPlan {
  const candidates: ReplayCandidate[] = matched.map((row) => ({
    id: row.id,
    eventType: row.eventType,
    status: row.status,
    replayCount: row.replayCount,
    insertedAt: new Date(row.insertedAt.getTime()),
    eligible: row.replayCount < replay.maxReplays,
  }));
  const eligibleIds = candidates.filter((candidate) => candidate.eligible).map((candidate) => candidate.id);
  return {
    resetIds: replay.dryRun ? [] : eligibleIds,
    report: {
      dryRun: replay.dryRun,
      matched: candidates.length,
      eligible: eligibleIds.length,
      replayed: replay.dryRun ? 0 : eligibleIds.length,
      skippedForCap: candidates.length - eligibleIds.length,
      candidates,
    },
  };
}
