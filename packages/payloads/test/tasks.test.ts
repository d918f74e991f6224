import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createTasksCatalog,
  LOOP_EVENT_TYPES,
  TASK_CONTEXT_FIELDS,
  TASK_EVENT_TYPES,
  type TaskFailedPayload,
  tasks,
} from '../src/index.js';
import { caught } from './caught.js';

const T = '2024-05-01T12:00:00.000Z';
const catalog = createTasksCatalog({ clock: () => T });
const task = { id: 'RQ-0001', title: 'Fix the flaky test', status: 'doing', tags: ['ci'] };
const fullContext = {
  runner: 'codex',
  model: 'gpt-5',
  phase: 2,
  phase_count: 3,
  duration_ms: 1234,
  repo_root: '/srv/repo',
  branch: 'main',
  commit: 'abc123',
  ci_gate: 'passed' as const,
};

describe('tasks catalog: exact bodies', () => {
  it('task_created', () => {
    expect(catalog.taskCreated(task)).toEqual([
      'task_created',
      { event: 'task_created', timestamp: T, task_id: 'RQ-0001', task_title: 'Fix the flaky test' },
    ]);
  });

  it('task_started (todo -> doing) with context', () => {
    expect(catalog.taskStarted(task, { runner: 'codex', model: 'gpt-5' })).toEqual([
      'task_started',
      {
        event: 'task_started',
        timestamp: T,
        task_id: 'RQ-0001',
        task_title: 'Fix the flaky test',
        previous_status: 'todo',
        current_status: 'doing',
        runner: 'codex',
        model: 'gpt-5',
      },
    ]);
  });

  it('task_completed (doing -> done) with every context field', () => {
    expect(catalog.taskCompleted(task, fullContext)).toEqual([
      'task_completed',
      {
        event: 'task_completed',
        timestamp: T,
        task_id: 'RQ-0001',
        task_title: 'Fix the flaky test',
        previous_status: 'doing',
        current_status: 'done',
        runner: 'codex',
        model: 'gpt-5',
        phase: 2,
        phase_count: 3,
        duration_ms: 1234,
        repo_root: '/srv/repo',
        branch: 'main',
        commit: 'abc123',
        ci_gate: 'passed',
      },
    ]);
  });

  it('task_failed (doing -> rejected) with a note', () => {
    expect(catalog.taskFailed(task, 'tests still red', { duration_ms: 0 })).toEqual([
      'task_failed',
      {
        event: 'task_failed',
        timestamp: T,
        task_id: 'RQ-0001',
        task_title: 'Fix the flaky test',
        previous_status: 'doing',
        current_status: 'rejected',
        note: 'tests still red',
        duration_ms: 0,
      },
    ]);
  });

  it('task_status_changed', () => {
    expect(catalog.taskStatusChanged(task, 'draft', 'todo', 'triaged')).toEqual([
      'task_status_changed',
      {
        event: 'task_status_changed',
        timestamp: T,
        task_id: 'RQ-0001',
        task_title: 'Fix the flaky test',
        previous_status: 'draft',
        current_status: 'todo',
        note: 'triaged',
      },
    ]);
  });

  it('phase_started and phase_completed carry phase and phase_count from their arguments', () => {
    expect(catalog.phaseStarted(task, 1, 3, { runner: 'codex' })).toEqual([
      'phase_started',
      {
        event: 'phase_started',
        timestamp: T,
        task_id: 'RQ-0001',
        task_title: 'Fix the flaky test',
        runner: 'codex',
        phase: 1,
        phase_count: 3,
      },
    ]);
    expect(catalog.phaseCompleted(task, 3, 3, { duration_ms: 90_000, ci_gate: 'skipped' })).toEqual([
      'phase_completed',
      {
        event: 'phase_completed',
        timestamp: T,
        task_id: 'RQ-0001',
        task_title: 'Fix the flaky test',
        phase: 3,
        phase_count: 3,
        duration_ms: 90_000,
        ci_gate: 'skipped',
      },
    ]);
  });

  it('loop_started, loop_stopped and queue_unblocked', () => {
    expect(catalog.loopStarted({ repo_root: '/srv/repo', branch: 'main' })).toEqual([
      'loop_started',
      { event: 'loop_started', timestamp: T, repo_root: '/srv/repo', branch: 'main' },
    ]);
    expect(catalog.loopStopped({ duration_ms: 5000 }, 'Completed: 3/3 succeeded')).toEqual([
      'loop_stopped',
      { event: 'loop_stopped', timestamp: T, note: 'Completed: 3/3 succeeded', duration_ms: 5000 },
    ]);
    expect(catalog.queueUnblocked()).toEqual([
      'queue_unblocked',
      { event: 'queue_unblocked', timestamp: T, previous_status: 'blocked', current_status: 'runnable' },
    ]);
  });

  it('build by name gives the same bodies as the convenience builders', () => {
    expect(catalog.build('task_failed', { task, note: 'x' })).toEqual(catalog.taskFailed(task, 'x'));
    expect(catalog.build('phase_started', { task, phase: 1, phaseCount: 2 })).toEqual(
      catalog.phaseStarted(task, 1, 2),
    );
    expect(catalog.build('loop_stopped', { note: 'bye' })).toEqual(catalog.loopStopped(undefined, 'bye'));
    expect(catalog.builders.queue_unblocked({}, { timestamp: '2020-02-02T02:02:02Z' })).toEqual([
      'queue_unblocked',
      {
        event: 'queue_unblocked',
        timestamp: '2020-02-02T02:02:02.000Z',
        previous_status: 'blocked',
        current_status: 'runnable',
      },
    ]);
  });
});

describe('tasks catalog: context', () => {
  it('leaves out unset context fields: never a null or undefined key in the body', () => {
    const [, payload] = catalog.taskFailed(task, null, {
      runner: 'codex',
      model: null,
      phase: undefined,
      branch: null,
      commit: 'abc',
    });
    expect(payload).toEqual({
      event: 'task_failed',
      timestamp: T,
      task_id: 'RQ-0001',
      task_title: 'Fix the flaky test',
      previous_status: 'doing',
      current_status: 'rejected',
      runner: 'codex',
      commit: 'abc',
    });
    expect(Object.keys(payload)).not.toContain('note');
    expect(Object.values(payload)).not.toContain(null);
    expect(Object.values(payload)).not.toContain(undefined);
    expect(JSON.stringify(payload)).not.toContain('null');
  });

  it('writes context fields in the documented order', () => {
    const reversed = Object.fromEntries(Object.entries(fullContext).reverse());
    const [, payload] = catalog.taskCreated(task, reversed);
    expect(Object.keys(payload).slice(4)).toEqual([...TASK_CONTEXT_FIELDS]);
  });

  it('refuses unknown context fields, bad values, and phase past phase_count', () => {
    const error = caught(() =>
      catalog.taskCreated(task, {
        runnr: 'codex',
        duration_ms: -1,
        ci_gate: 'green',
        phase: 4,
        phase_count: 3,
      } as never),
    );
    expect(error.details.issues.map((issue) => `${issue.field} ${issue.message}`)).toEqual([
      'context.duration_ms must be at least 0',
      'context.ci_gate must be one of skipped, passed, failed',
      'context.runnr is not allowed here',
    ]);
    expect(caught(() => catalog.taskCreated(task, { phase: 4, phase_count: 3 })).details.field).toBe(
      'context.phase',
    );
  });

  it('phase events take phase and phase_count from their arguments only', () => {
    expect(caught(() => catalog.phaseStarted(task, 1, 3, { phase: 2 } as never)).details.field).toBe(
      'context.phase',
    );
    expect(caught(() => catalog.phaseStarted(task, 4, 3)).message).toBe(
      'Invalid phase_started input: phase must not exceed phaseCount',
    );
    expect(caught(() => catalog.phaseCompleted(task, 0, 3)).message).toBe(
      'Invalid phase_completed input: phase must be at least 1',
    );
  });
});

describe('tasks catalog: loop-level events carry no task fields', () => {
  it('never put task_id or task_title in a loop event body', () => {
    const bodies = [
      catalog.loopStarted(fullContext),
      catalog.loopStopped(fullContext, 'n'),
      catalog.queueUnblocked(),
    ];
    expect(bodies.map(([eventType]) => eventType)).toEqual([...LOOP_EVENT_TYPES]);
    for (const [, payload] of bodies) {
      expect(payload).not.toHaveProperty('task_id');
      expect(payload).not.toHaveProperty('task_title');
    }
  });

  it('refuse a task passed to them, or task fields smuggled in through the context', () => {
    for (const eventType of LOOP_EVENT_TYPES) {
      const error = caught(() => catalog.build(eventType, { task } as never));
      expect(error.message).toBe(
        `Invalid ${eventType} input: task is not allowed: loop-level events carry no task`,
      );
    }
    expect(caught(() => catalog.loopStarted({ task_id: 'RQ-1' } as never)).message).toBe(
      'Invalid loop_started input: context.task_id is not allowed here',
    );
    expect(caught(() => catalog.build('loop_started', { note: 'hi' } as never)).details.field).toBe('note');
  });
});

describe('tasks catalog: names and validation', () => {
  it('lists its event types and refuses unknown names, listing the supported ones', () => {
    expect(tasks.eventTypes).toEqual([...TASK_EVENT_TYPES]);
    const error = caught(() => tasks.build('task_deleted' as never, { task } as never));
    expect(error.message).toBe(
      'Unknown event type "task_deleted": supported event types are task_created, task_started, task_completed, ' +
        'task_failed, task_status_changed, loop_started, loop_stopped, phase_started, phase_completed, queue_unblocked',
    );
    expect(error.details['supported']).toEqual([...TASK_EVENT_TYPES]);
  });

  it('names bad task fields and a status change that keeps the status', () => {
    expect(caught(() => tasks.taskStarted({ id: '', title: 'x' })).message).toBe(
      'Invalid task_started input: task.id must not be empty',
    );
    expect(caught(() => tasks.taskStarted({ id: 'RQ-1' } as never)).details.field).toBe('task.title');
    expect(caught(() => tasks.taskStatusChanged(task, 'todo', 'todo')).details.field).toBe('previousStatus');
  });

  it('types each payload precisely', () => {
    const [eventType, payload] = catalog.taskFailed(task, 'x');
    expectTypeOf(eventType).toEqualTypeOf<'task_failed'>();
    expectTypeOf(payload).toEqualTypeOf<TaskFailedPayload>();
    expectTypeOf(payload.current_status).toEqualTypeOf<'rejected'>();
    expectTypeOf(catalog.loopStarted()[1]).not.toHaveProperty('task_id');
    expect(payload.note).toBe('x');
  });
});
