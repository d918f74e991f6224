import { z } from 'zod';
import { defineEvent, type EventDefinition, type EventMeta } from './define-event.js';
import { jsonInteger } from './field-schemas.js';
import {
  compactContext,
  type PhaseWebhookContext,
  phaseContextSchema,
  type TaskContextFields,
  type TaskWebhookContext,
  taskContextSchema,
} from './tasks-context.js';

/** Every event type of the task-runner catalog. */
export const TASK_EVENT_TYPES = [
  'task_created',
  'task_started',
  'task_completed',
  'task_failed',
  'task_status_changed',
  'loop_started',
  'loop_stopped',
  'phase_started',
  'phase_completed',
  'queue_unblocked',
] as const;

/** A task-runner event type. */
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

/** The loop-level event types: their bodies never carry `task_id` or `task_title`. */
export const LOOP_EVENT_TYPES = ['loop_started', 'loop_stopped', 'queue_unblocked'] as const;

/** A task as the runner knows it; other fields (a queue row) are fine and ignored. */
export interface TaskInput {
  /** The task id, e.g. `RQ-0001`. */
  readonly id: string;
  /** The task title. */
  readonly title: string;
  /** Any other field of the task; not copied into the body. */
  readonly [field: string]: unknown;
}

/** Input of `task_created`, `task_started` and `task_completed`. */
export interface TaskEventInput {
  /** The task. */
  readonly task: TaskInput;
  /** Optional context; unset fields are left out. */
  readonly context?: TaskWebhookContext | null;
}

/** Input of `task_failed`. */
export interface TaskFailedInput extends TaskEventInput {
  /** Why it failed. */
  readonly note?: string | null;
}

/** Input of `task_status_changed`. */
export interface TaskStatusChangedInput extends TaskEventInput {
  /** The status before (must differ from `currentStatus`). */
  readonly previousStatus: string;
  /** The status after. */
  readonly currentStatus: string;
  /** An optional note. */
  readonly note?: string | null;
}

/** Input of `phase_started` and `phase_completed`. */
export interface PhaseEventInput {
  /** The task. */
  readonly task: TaskInput;
  /** The phase number, 1-based. */
  readonly phase: number;
  /** How many phases the run has (at least `phase`). */
  readonly phaseCount: number;
  /** Optional context, without `phase` and `phase_count` (those come from the fields above). */
  readonly context?: PhaseWebhookContext | null;
}

/** Input of the loop-level events; a `task` is refused (loop events have no task). */
export interface LoopEventInput {
  /** An optional note, e.g. why the loop stopped (`loop_started` takes none). */
  readonly note?: string | null;
  /** Optional context; unset fields are left out. */
  readonly context?: TaskWebhookContext | null;
  /** Not allowed: loop-level events carry no task fields. */
  readonly task?: undefined;
}

type Envelope<Event extends TaskEventType> = { event: Event; timestamp: string };
type TaskFields = { task_id: string; task_title: string };
type Transition<Previous extends string, Current extends string> = {
  previous_status: Previous;
  current_status: Current;
};
type Note = { note?: string };

/** Body of `task_created`. */
export type TaskCreatedPayload = Envelope<'task_created'> & TaskFields & TaskContextFields;
/** Body of `task_started` (the runner's `todo` -> `doing`). */
export type TaskStartedPayload = Envelope<'task_started'> &
  TaskFields &
  Transition<'todo', 'doing'> &
  TaskContextFields;
/** Body of `task_completed` (`doing` -> `done`). */
export type TaskCompletedPayload = Envelope<'task_completed'> &
  TaskFields &
  Transition<'doing', 'done'> &
  TaskContextFields;
/** Body of `task_failed` (`doing` -> `rejected`, with an optional note). */
export type TaskFailedPayload = Envelope<'task_failed'> &
  TaskFields &
  Transition<'doing', 'rejected'> &
  Note &
  TaskContextFields;
/** Body of `task_status_changed`. */
export type TaskStatusChangedPayload = Envelope<'task_status_changed'> &
  TaskFields &
  Transition<string, string> &
  Note &
  TaskContextFields;
/** Body of `phase_started` / `phase_completed`: `phase` and `phase_count` are always present. */
export type PhaseEventPayload<Event extends 'phase_started' | 'phase_completed'> = Envelope<Event> &
  TaskFields &
  TaskContextFields & { phase: number; phase_count: number };
/** Body of `loop_started`: no task fields. */
export type LoopStartedPayload = Envelope<'loop_started'> & TaskContextFields;
/** Body of `loop_stopped`: no task fields, an optional note. */
export type LoopStoppedPayload = Envelope<'loop_stopped'> & Note & TaskContextFields;
/** Body of `queue_unblocked`: no task fields; the queue went `blocked` -> `runnable`. */
export type QueueUnblockedPayload = Envelope<'queue_unblocked'> &
  Transition<'blocked', 'runnable'> &
  Note &
  TaskContextFields;

const taskSchema = z.looseObject({ id: z.string().min(1), title: z.string() });
const noteSchema = z.string().nullish();
const noTask = z.never({ error: 'is not allowed: loop-level events carry no task' }).optional();
const taskEventSchema = z.strictObject({ task: taskSchema, context: taskContextSchema });
const taskFailedSchema = taskEventSchema.extend({ note: noteSchema });
const taskStatusChangedSchema = taskEventSchema
  .extend({ previousStatus: z.string().min(1), currentStatus: z.string().min(1), note: noteSchema })
  .superRefine((input, context) => {
    if (input.previousStatus !== input.currentStatus) return;
    const message = 'must differ from currentStatus: a status change must change the status';
    context.addIssue({ code: 'custom', path: ['previousStatus'], message, input: input.previousStatus });
  });
const phaseEventSchema = z
  .strictObject({
    task: taskSchema,
    phase: jsonInteger(1),
    phaseCount: jsonInteger(1),
    context: phaseContextSchema,
  })
  .superRefine((input, context) => {
    if (input.phase <= input.phaseCount) return;
    context.addIssue({
      code: 'custom',
      path: ['phase'],
      message: 'must not exceed phaseCount',
      input: input.phase,
    });
  });
const loopStartedSchema = z.strictObject({ task: noTask, context: taskContextSchema });
const loopNoteSchema = loopStartedSchema.extend({ note: noteSchema });

const noteField = (note: string | null | undefined): Note => (note == null ? {} : { note });

const NO_TASK = {} as const;
const taskFields = (task: { id: string; title: string }): TaskFields => ({
  task_id: task.id,
  task_title: task.title,
});

/** A body in the runner's field order: envelope, task fields (or none), `fields`, then the set context fields. */
function body<Event extends TaskEventType, Task extends TaskFields | typeof NO_TASK, Fields extends object>(
  meta: EventMeta<Event>,
  task: Task,
  fields: Fields,
  context: Readonly<Record<string, unknown>> | null | undefined,
) {
  return { event: meta.eventType, timestamp: meta.timestamp, ...task, ...fields, ...compactContext(context) };
}

const STARTED = { previous_status: 'todo', current_status: 'doing' } as const;
const COMPLETED = { previous_status: 'doing', current_status: 'done' } as const;
const REJECTED = { previous_status: 'doing', current_status: 'rejected' } as const;
const UNBLOCKED = { previous_status: 'blocked', current_status: 'runnable' } as const;

/** `task_created`: a task was added to the queue. */
export const taskCreatedEvent: EventDefinition<'task_created', TaskEventInput, TaskCreatedPayload> =
  defineEvent('task_created', taskEventSchema, (input, meta) =>
    body(meta, taskFields(input.task), {}, input.context),
  );

/** `task_started`: the runner picked a task up (`todo` -> `doing`). */
export const taskStartedEvent: EventDefinition<'task_started', TaskEventInput, TaskStartedPayload> =
  defineEvent('task_started', taskEventSchema, (input, meta) =>
    body(meta, taskFields(input.task), STARTED, input.context),
  );

/** `task_completed`: the task is done (`doing` -> `done`). */
export const taskCompletedEvent: EventDefinition<'task_completed', TaskEventInput, TaskCompletedPayload> =
  defineEvent('task_completed', taskEventSchema, (input, meta) =>
    body(meta, taskFields(input.task), COMPLETED, input.context),
  );

/** `task_failed`: the task failed or was rejected (`doing` -> `rejected`), with an optional note. */
export const taskFailedEvent: EventDefinition<'task_failed', TaskFailedInput, TaskFailedPayload> =
  defineEvent('task_failed', taskFailedSchema, (input, meta) =>
    body(meta, taskFields(input.task), { ...REJECTED, ...noteField(input.note) }, input.context),
  );

/** `task_status_changed`: any other status transition of a task. */
export const taskStatusChangedEvent: EventDefinition<
  'task_status_changed',
  TaskStatusChangedInput,
  TaskStatusChangedPayload
> = defineEvent('task_status_changed', taskStatusChangedSchema, (input, meta) => {
  const transition = { previous_status: input.previousStatus, current_status: input.currentStatus };
  return body(meta, taskFields(input.task), { ...transition, ...noteField(input.note) }, input.context);
});

/** Defines a phase event; `phase` and `phase_count` always appear in the body, in context order. */
function definePhaseEvent<const Event extends 'phase_started' | 'phase_completed'>(
  eventType: Event,
): EventDefinition<Event, PhaseEventInput, PhaseEventPayload<Event>> {
  return defineEvent(eventType, phaseEventSchema, (input, meta) => {
    const phases = { phase: input.phase, phase_count: input.phaseCount };
    return { ...body(meta, taskFields(input.task), {}, { ...input.context, ...phases }), ...phases };
  });
}

/** `phase_started`: a phase of a task began. */
export const phaseStartedEvent = definePhaseEvent('phase_started');

/** `phase_completed`: a phase of a task ended. */
export const phaseCompletedEvent = definePhaseEvent('phase_completed');

/** `loop_started`: the run loop started (loop-level: no task fields). */
export const loopStartedEvent: EventDefinition<
  'loop_started',
  Omit<LoopEventInput, 'note'>,
  LoopStartedPayload
> = defineEvent('loop_started', loopStartedSchema, (input, meta) => body(meta, NO_TASK, {}, input.context));

/** `loop_stopped`: the run loop stopped, with an optional note saying why (loop-level: no task fields). */
export const loopStoppedEvent: EventDefinition<'loop_stopped', LoopEventInput, LoopStoppedPayload> =
  defineEvent('loop_stopped', loopNoteSchema, (input, meta) =>
    body(meta, NO_TASK, noteField(input.note), input.context),
  );

/** `queue_unblocked`: the queue went from `blocked` to `runnable` (loop-level: no task fields). */
export const queueUnblockedEvent: EventDefinition<'queue_unblocked', LoopEventInput, QueueUnblockedPayload> =
  defineEvent('queue_unblocked', loopNoteSchema, (input, meta) =>
    body(meta, NO_TASK, { ...UNBLOCKED, ...noteField(input.note) }, input.context),
  );
