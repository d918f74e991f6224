import { z } from 'zod';
import { jsonInteger } from './field-schemas.js';

/** The optional context fields of a task-runner event, in the order they appear in a body. */
export const TASK_CONTEXT_FIELDS = [
  'runner',
  'model',
  'phase',
  'phase_count',
  'duration_ms',
  'repo_root',
  'branch',
  'commit',
  'ci_gate',
] as const;

/** The outcomes a CI gate reports. */
export const CI_GATE_OUTCOMES = ['skipped', 'passed', 'failed'] as const;

/** A CI gate outcome. */
export type CiGateOutcome = (typeof CI_GATE_OUTCOMES)[number];

/** Optional metadata of a task-runner event; unset (`undefined` or `null`) fields are left out of the body. */
export interface TaskWebhookContext {
  /** The runner (agent CLI) that ran the work, e.g. `codex`. */
  readonly runner?: string | null;
  /** The model used for this phase or run. */
  readonly model?: string | null;
  /** The current phase number (1-based, at most `phase_count`). */
  readonly phase?: number | null;
  /** How many phases are configured. */
  readonly phase_count?: number | null;
  /** How long the operation took, in milliseconds. */
  readonly duration_ms?: number | null;
  /** The repository root path. */
  readonly repo_root?: string | null;
  /** The current git branch. */
  readonly branch?: string | null;
  /** The current git commit hash. */
  readonly commit?: string | null;
  /** The CI gate outcome: `skipped`, `passed` or `failed`. */
  readonly ci_gate?: CiGateOutcome | null;
}

/** The context of a phase event: `phase` and `phase_count` come from the builder's own arguments. */
export type PhaseWebhookContext = Omit<TaskWebhookContext, 'phase' | 'phase_count'>;

/** The context fields as they appear in a body: only the ones that were set. */
export type TaskContextFields = {
  runner?: string;
  model?: string;
  phase?: number;
  phase_count?: number;
  duration_ms?: number;
  repo_root?: string;
  branch?: string;
  commit?: string;
  ci_gate?: CiGateOutcome;
};

const contextObject = z.strictObject({
  runner: z.string().nullish(),
  model: z.string().nullish(),
  phase: jsonInteger(1).nullish(),
  phase_count: jsonInteger(1).nullish(),
  duration_ms: jsonInteger(0).nullish(),
  repo_root: z.string().nullish(),
  branch: z.string().nullish(),
  commit: z.string().nullish(),
  ci_gate: z.enum(CI_GATE_OUTCOMES).nullish(),
});

/** Validates a context: known fields only (a typo or a task field is refused), `phase <= phase_count`. */
export const taskContextSchema = contextObject
  .superRefine((context, refinement) => {
    const { phase, phase_count: phaseCount } = context;
    if (phase != null && phaseCount != null && phase > phaseCount) {
      refinement.addIssue({
        code: 'custom',
        path: ['phase'],
        message: 'must not exceed phase_count',
        input: phase,
      });
    }
  })
  .nullish();

/** Validates the context of a phase event, which must not carry `phase` or `phase_count` itself. */
export const phaseContextSchema = contextObject.omit({ phase: true, phase_count: true }).nullish();

/** The set fields of a validated context, in body order, with every unset field left out. */
export function compactContext(
  context: Readonly<Record<string, unknown>> | null | undefined,
): TaskContextFields {
  const fields: Record<string, unknown> = {};
  if (context == null) return fields;
  for (const key of TASK_CONTEXT_FIELDS) {
    const value = context[key];
    if (value !== undefined && value !== null) fields[key] = value;
  }
  return fields as TaskContextFields;
}
