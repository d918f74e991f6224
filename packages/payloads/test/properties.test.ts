import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APPLICATION_STATUSES,
  type BuildOptions,
  CAMPAIGN_STATUSES,
  CI_GATE_OUTCOMES,
  createCampaignflowCatalog,
  createTasksCatalog,
  type EventTuple,
  PayloadValidationError,
} from '../src/index.js';

const campaignCatalog = createCampaignflowCatalog({ clock: () => '2024-05-01T12:00:00.000Z' });
const tasksCatalog = createTasksCatalog({ clock: () => new Date(Date.UTC(2024, 4, 1, 12)) });

/** Mostly a valid value, sometimes anything at all (wrong types, null, objects, -0, ...). */
function mostly<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: fc.anything(), weight: 1 });
}

/** Strings including astral characters and lone surrogates (JSON must carry them unchanged). */
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('\ud800', 'a\udfffb', ''));
const id = fc.oneof(fc.string({ minLength: 1 }), fc.integer(), fc.constantFrom(-0, 0, 2 ** 53, 1.5));
/** Ids drawn from a small set, so a campaign and its application often (not always) match. */
const linkedId = fc.constantFrom(1, '1', 2, -0);
const isoDate = fc
  .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((date) => date.toISOString());
const when = fc.oneof(
  { arbitrary: isoDate, weight: 3 },
  { arbitrary: fc.date({ noInvalidDate: true }), weight: 2 },
  { arbitrary: fc.date(), weight: 1 },
  { arbitrary: text, weight: 1 },
);
const campaignStatus = fc.constantFrom(...CAMPAIGN_STATUSES);
const applicationStatus = fc.constantFrom(...APPLICATION_STATUSES);
const campaign = fc.record(
  {
    id: mostly(linkedId),
    name: mostly(text),
    status: mostly(campaignStatus),
    updatedAt: mostly(when),
    extra: fc.anything(),
  },
  { requiredKeys: ['id', 'name', 'status', 'updatedAt'] },
);
const application = fc.record({
  id: mostly(id),
  campaignId: mostly(linkedId),
  applicantName: mostly(text),
  status: mostly(applicationStatus),
});
const smallInt = fc.oneof(fc.integer({ min: -1, max: 4 }), fc.constantFrom(-0, 1.5, Number.NaN));
const contextFields = {
  runner: mostly(fc.option(text)),
  model: mostly(fc.option(text)),
  phase: mostly(fc.option(smallInt)),
  phase_count: mostly(fc.option(smallInt)),
  duration_ms: mostly(fc.option(fc.oneof(fc.nat(), smallInt))),
  repo_root: mostly(text),
  branch: mostly(text),
  commit: mostly(text),
  ci_gate: mostly(fc.constantFrom(...CI_GATE_OUTCOMES)),
};
const context = fc.option(fc.record(contextFields, { requiredKeys: [] }));
const { phase: _phase, phase_count: _phaseCount, ...phaseContextFields } = contextFields;
const phaseContext = fc.option(fc.record(phaseContextFields, { requiredKeys: [] }));
const task = fc.record({ id: mostly(text), title: mostly(text), status: fc.anything() });
const note = mostly(fc.option(text, { nil: undefined }));
/** Per-call options, sometimes with a wrong timestamp (typed as BuildOptions on purpose). */
const buildOptions = fc.option(fc.record({ timestamp: mostly(when) }, { requiredKeys: [] }), {
  nil: undefined,
}) as fc.Arbitrary<BuildOptions | undefined>;

const taskEvent = fc.record({ task: mostly(task), context }, { requiredKeys: ['task'] });
const loopEvent = fc.record({ note, context }, { requiredKeys: [] });
/** A plausible input per task-runner event type (each field sometimes wrong). */
const taskInputs: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  task_created: taskEvent,
  task_started: taskEvent,
  task_completed: taskEvent,
  task_failed: fc.record({ task: mostly(task), note, context }, { requiredKeys: ['task'] }),
  task_status_changed: fc.record(
    { task: mostly(task), previousStatus: mostly(text), currentStatus: mostly(text), note, context },
    { requiredKeys: ['task', 'previousStatus', 'currentStatus'] },
  ),
  phase_started: fc.record({
    task: mostly(task),
    phase: smallInt,
    phaseCount: smallInt,
    context: phaseContext,
  }),
  phase_completed: fc.record({
    task: mostly(task),
    phase: smallInt,
    phaseCount: smallInt,
    context: phaseContext,
  }),
  loop_started: fc.record({ context }, { requiredKeys: [] }),
  loop_stopped: loopEvent,
  queue_unblocked: loopEvent,
};

/** How often each outcome happened in the current test, so a property whose inputs all fail is caught. */
const outcomes = { built: 0, refused: 0 };

beforeEach(() => {
  outcomes.built = 0;
  outcomes.refused = 0;
});

afterEach((context) => {
  if (context.task.name.startsWith('any event name')) return;
  expect(outcomes.built, 'some random inputs must build').toBeGreaterThan(10);
  expect(outcomes.refused, 'some random inputs must be refused').toBeGreaterThan(10);
});

/** Either a payload that survives JSON unchanged, or a PayloadValidationError: never anything else. */
function expectJsonOrValidationError(build: () => EventTuple | EventTuple[], name?: string): void {
  let built: EventTuple | EventTuple[];
  try {
    built = build();
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadValidationError);
    expect(PayloadValidationError.isInstance(error)).toBe(true);
    expect((error as PayloadValidationError).details.issues.length).toBeGreaterThan(0);
    outcomes.refused += 1;
    return;
  }
  outcomes.built += 1;
  const tuples = (typeof built[0] === 'string' ? [built] : built) as EventTuple[];
  for (const [eventType, payload] of tuples) {
    if (name !== undefined && tuples.length === 1) expect(eventType).toBe(name);
    expect(JSON.parse(JSON.stringify(payload))).toStrictEqual(payload);
  }
}

describe('properties: random input builds a JSON-safe payload or throws PayloadValidationError', () => {
  it('campaign_status_change', () => {
    fc.assert(
      fc.property(campaign, mostly(fc.option(campaignStatus)), buildOptions, (row, previous, options) => {
        expectJsonOrValidationError(() =>
          campaignCatalog.campaignStatusChange(row as never, previous as never, options),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('finance_application_status_change', () => {
    /** A campaign, an application usually of that campaign, and a campaignPreviousStatus often by the rule. */
    const linked = campaign.chain((row) =>
      fc.tuple(
        fc.constant(row),
        fc
          .oneof(fc.constant(row.id), mostly(linkedId))
          .chain((campaignId) => application.map((app) => ({ ...app, campaignId }))),
        fc.oneof(fc.constant(null), fc.constant(row.status), mostly(fc.option(campaignStatus))),
      ),
    );
    fc.assert(
      fc.property(
        linked,
        mostly(fc.option(applicationStatus)),
        buildOptions,
        ([row, app, campaignPrevious], previousApplication, options) => {
          expectJsonOrValidationError(() =>
            campaignCatalog.financeApplicationStatusChange(
              row as never,
              app as never,
              previousApplication as never,
              campaignPrevious as never,
              options,
            ),
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  it('financeApplicationEvents applies the previousStatus rule whenever it builds', () => {
    fc.assert(
      fc.property(
        fc.record({ id: mostly(linkedId), status: mostly(campaignStatus) }),
        campaign,
        application,
        mostly(fc.option(applicationStatus)),
        (before, after, rawApp, previousApplication) => {
          const app = { ...rawApp, campaignId: before.id };
          const input = {
            campaignBefore: before,
            campaignAfter: after,
            application: app,
            previousApplicationStatus: previousApplication,
          };
          expectJsonOrValidationError(() => campaignCatalog.financeApplicationEvents(input as never));
          let events: ReturnType<typeof campaignCatalog.financeApplicationEvents>;
          try {
            events = campaignCatalog.financeApplicationEvents(input as never);
          } catch {
            return;
          }
          const changed = before.status !== after.status;
          expect(events).toHaveLength(changed ? 2 : 1);
          const finance = events[0]?.[1];
          if (finance?.type !== 'finance_application_status_change')
            throw new Error('the finance event comes first');
          const snapshot = finance.data.campaign;
          expect(snapshot.previousStatus).toBe(changed ? null : snapshot.status);
          const cascade = events[1]?.[1];
          if (changed && cascade?.type !== 'campaign_status_change')
            throw new Error('the campaign change comes second');
          if (cascade?.type === 'campaign_status_change') {
            expect(cascade.data.campaign.previousStatus).toBe(before.status);
          }
        },
      ),
      { numRuns: 800 },
    );
  });

  it('every task-runner event, built by name with random input', () => {
    const named = fc
      .constantFrom(...tasksCatalog.eventTypes)
      .chain((name) =>
        fc.tuple(
          fc.constant(name),
          fc.oneof(
            { arbitrary: taskInputs[name] ?? fc.constant({}), weight: 8 },
            { arbitrary: fc.record({ task, stray: fc.anything() }, { requiredKeys: [] }), weight: 1 },
            { arbitrary: fc.anything(), weight: 1 },
          ),
        ),
      );
    fc.assert(
      fc.property(named, buildOptions, ([name, payloadInput], options) => {
        expectJsonOrValidationError(() => tasksCatalog.build(name, payloadInput as never, options), name);
      }),
      { numRuns: 1000 },
    );
  });

  it('the task-runner convenience builders', () => {
    fc.assert(
      fc.property(
        task,
        mostly(fc.option(text)),
        context,
        smallInt,
        smallInt,
        (t, note, ctx, phase, count) => {
          const builds = [
            () => tasksCatalog.taskCreated(t as never, ctx as never),
            () => tasksCatalog.taskFailed(t as never, note as never, ctx as never),
            () => tasksCatalog.taskStatusChanged(t as never, 'todo', note as never),
            () => tasksCatalog.phaseStarted(t as never, phase, count, ctx as never),
            () => tasksCatalog.loopStopped(ctx as never, note as never),
            () => tasksCatalog.queueUnblocked(ctx as never, note as never),
          ];
          for (const build of builds) expectJsonOrValidationError(build);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any event name and any input, in both catalogs', () => {
    const names = fc.oneof(
      fc.string(),
      fc.constantFrom(...tasksCatalog.eventTypes, ...campaignCatalog.eventTypes),
    );
    fc.assert(
      fc.property(names, fc.anything(), (name, anything) => {
        expectJsonOrValidationError(() => tasksCatalog.build(name as never, anything as never));
        expectJsonOrValidationError(() => campaignCatalog.build(name as never, anything as never));
      }),
      { numRuns: 500 },
    );
  });
});
