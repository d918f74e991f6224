import { type Catalog, type CatalogOptions, defineCatalog, type EventTuple } from './catalog.js';
import type { BuildOptions } from './iso-timestamp.js';
import type { PhaseWebhookContext, TaskWebhookContext } from './tasks-context.js';
import {
  type LoopStartedPayload,
  type LoopStoppedPayload,
  loopStartedEvent,
  loopStoppedEvent,
  type PhaseEventPayload,
  phaseCompletedEvent,
  phaseStartedEvent,
  type QueueUnblockedPayload,
  queueUnblockedEvent,
  type TaskCompletedPayload,
  type TaskCreatedPayload,
  type TaskFailedPayload,
  type TaskInput,
  type TaskStartedPayload,
  type TaskStatusChangedPayload,
  taskCompletedEvent,
  taskCreatedEvent,
  taskFailedEvent,
  taskStartedEvent,
  taskStatusChangedEvent,
} from './tasks-events.js';

/** The event definitions of the task-runner catalog. */
export type TasksDefinition =
  | typeof taskCreatedEvent
  | typeof taskStartedEvent
  | typeof taskCompletedEvent
  | typeof taskFailedEvent
  | typeof taskStatusChangedEvent
  | typeof loopStartedEvent
  | typeof loopStoppedEvent
  | typeof phaseStartedEvent
  | typeof phaseCompletedEvent
  | typeof queueUnblockedEvent;

/** An optional context, `null` or `undefined` meaning none. */
type Context = TaskWebhookContext | null | undefined;
/** An optional note, `null` or `undefined` meaning none. */
type OptionalNote = string | null | undefined;

/** The task-runner catalog: the generic catalog API plus builders shaped like the runner's notifier. */
export interface TasksCatalog extends Catalog<TasksDefinition> {
  /** `task_created`: a task was added. */
  taskCreated(
    task: TaskInput,
    context?: Context,
    options?: BuildOptions,
  ): EventTuple<'task_created', TaskCreatedPayload>;
  /** `task_started` (`todo` -> `doing`). */
  taskStarted(
    task: TaskInput,
    context?: Context,
    options?: BuildOptions,
  ): EventTuple<'task_started', TaskStartedPayload>;
  /** `task_completed` (`doing` -> `done`). */
  taskCompleted(
    task: TaskInput,
    context?: Context,
    options?: BuildOptions,
  ): EventTuple<'task_completed', TaskCompletedPayload>;
  /** `task_failed` (`doing` -> `rejected`), with an optional note saying why. */
  taskFailed(
    task: TaskInput,
    note?: OptionalNote,
    context?: Context,
    options?: BuildOptions,
  ): EventTuple<'task_failed', TaskFailedPayload>;
  /** `task_status_changed`: any other transition, from `previousStatus` to `currentStatus`. */
  taskStatusChanged(
    task: TaskInput,
    previousStatus: string,
    currentStatus: string,
    note?: OptionalNote,
    context?: Context,
    options?: BuildOptions,
  ): EventTuple<'task_status_changed', TaskStatusChangedPayload>;
  /** `loop_started` (loop-level: no task fields). */
  loopStarted(context?: Context, options?: BuildOptions): EventTuple<'loop_started', LoopStartedPayload>;
  /** `loop_stopped` with an optional note (loop-level: no task fields). */
  loopStopped(
    context?: Context,
    note?: OptionalNote,
    options?: BuildOptions,
  ): EventTuple<'loop_stopped', LoopStoppedPayload>;
  /** `phase_started`: phase `phase` of `phaseCount` began. */
  phaseStarted(
    task: TaskInput,
    phase: number,
    phaseCount: number,
    context?: PhaseWebhookContext | null,
    options?: BuildOptions,
  ): EventTuple<'phase_started', PhaseEventPayload<'phase_started'>>;
  /** `phase_completed`: phase `phase` of `phaseCount` ended. */
  phaseCompleted(
    task: TaskInput,
    phase: number,
    phaseCount: number,
    context?: PhaseWebhookContext | null,
    options?: BuildOptions,
  ): EventTuple<'phase_completed', PhaseEventPayload<'phase_completed'>>;
  /** `queue_unblocked` (`blocked` -> `runnable`) with an optional note (loop-level: no task fields). */
  queueUnblocked(
    context?: Context,
    note?: OptionalNote,
    options?: BuildOptions,
  ): EventTuple<'queue_unblocked', QueueUnblockedPayload>;
}

/**
 * Creates the task-runner catalog; pass a `clock` for deterministic timestamps (`tasks` uses now).
 *
 * @example
 * const catalog = createTasksCatalog({ clock: () => new Date('2024-05-01T12:00:00Z') });
 * await dispatcher.enqueue(...catalog.taskFailed({ id: 'RQ-0001', title: 'Fix CI' }, 'tests red'));
 */
export function createTasksCatalog(options: CatalogOptions = {}): TasksCatalog {
  const catalog = defineCatalog(
    [
      taskCreatedEvent,
      taskStartedEvent,
      taskCompletedEvent,
      taskFailedEvent,
      taskStatusChangedEvent,
      loopStartedEvent,
      loopStoppedEvent,
      phaseStartedEvent,
      phaseCompletedEvent,
      queueUnblockedEvent,
    ],
    options,
  );
  const build = catalog.builders;
  return Object.freeze({
    ...catalog,
    taskCreated: (task: TaskInput, context?: Context, at?: BuildOptions) =>
      build.task_created({ task, context }, at),
    taskStarted: (task: TaskInput, context?: Context, at?: BuildOptions) =>
      build.task_started({ task, context }, at),
    taskCompleted: (task: TaskInput, context?: Context, at?: BuildOptions) =>
      build.task_completed({ task, context }, at),
    taskFailed: (task: TaskInput, note?: OptionalNote, context?: Context, at?: BuildOptions) =>
      build.task_failed({ task, note, context }, at),
    taskStatusChanged: (
      task: TaskInput,
      previousStatus: string,
      currentStatus: string,
      note?: OptionalNote,
      context?: Context,
      at?: BuildOptions,
    ) => build.task_status_changed({ task, previousStatus, currentStatus, note, context }, at),
    loopStarted: (context?: Context, at?: BuildOptions) => build.loop_started({ context }, at),
    loopStopped: (context?: Context, note?: OptionalNote, at?: BuildOptions) =>
      build.loop_stopped({ context, note }, at),
    phaseStarted: (
      task: TaskInput,
      phase: number,
      phaseCount: number,
      context?: PhaseWebhookContext | null,
      at?: BuildOptions,
    ) => build.phase_started({ task, phase, phaseCount, context }, at),
    phaseCompleted: (
      task: TaskInput,
      phase: number,
      phaseCount: number,
      context?: PhaseWebhookContext | null,
      at?: BuildOptions,
    ) => build.phase_completed({ task, phase, phaseCount, context }, at),
    queueUnblocked: (context?: Context, note?: OptionalNote, at?: BuildOptions) =>
      build.queue_unblocked({ context, note }, at),
  });
}

/** The task-runner catalog with the system clock. */
export const tasks: TasksCatalog = /* @__PURE__ */ createTasksCatalog();
