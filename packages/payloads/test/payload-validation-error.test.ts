import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { HooksError, InvalidInputError, NotFoundError } from '../../core/src/errors.js';
import { campaignflow, PayloadValidationError, tasks } from '../src/index.js';
import { thrown } from './caught.js';

const badCampaign = { id: 1, name: 'Spring', status: 'live', updatedAt: '2024-05-01T12:00:00Z' };

describe('PayloadValidationError', () => {
  it('carries the @hooks brand, the invalid-input code, the zod error as cause, and the issues', () => {
    const error = thrown(() => campaignflow.campaignStatusChange(badCampaign as never, null));
    expect(error).toBeInstanceOf(PayloadValidationError);
    expect(error).toBeInstanceOf(Error);
    const typed = error as PayloadValidationError;
    expect((typed as unknown as Record<symbol, unknown>)[Symbol.for('@hooks/error')]).toBe(true);
    expect(typed.code).toBe('HOOKS_ERR_INVALID_INPUT');
    expect(typed.name).toBe('PayloadValidationError');
    expect(typed.cause).toBeInstanceOf(ZodError);
    expect(typed.message).toBe(
      'Invalid campaign_status_change input: campaign.status must be one of draft, pending, active, paused, completed, cancelled',
    );
    expect(typed.details).toEqual({
      field: 'campaign.status',
      issues: [
        {
          path: ['campaign', 'status'],
          field: 'campaign.status',
          message: 'must be one of draft, pending, active, paused, completed, cancelled',
        },
      ],
    });
    expect(Object.isFrozen(typed.details)).toBe(true);
  });

  it("is recognised by @hooks/core's isInstance checks, without depending on core", () => {
    const error = thrown(() => tasks.taskCreated({ id: '', title: 't' }));
    expect(HooksError.isInstance(error)).toBe(true);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(NotFoundError.isInstance(error)).toBe(false);
    expect(PayloadValidationError.isInstance(error)).toBe(true);
  });

  it('isInstance recognises a core InvalidInputError and refuses look-alikes', () => {
    expect(PayloadValidationError.isInstance(new InvalidInputError('bad'))).toBe(true);
    expect(PayloadValidationError.isInstance(new NotFoundError('gone'))).toBe(false);
    expect(
      PayloadValidationError.isInstance(Object.assign(new Error('x'), { code: 'HOOKS_ERR_INVALID_INPUT' })),
    ).toBe(false);
    expect(PayloadValidationError.isInstance(null)).toBe(false);
    expect(PayloadValidationError.isInstance('HOOKS_ERR_INVALID_INPUT')).toBe(false);
  });

  it('names every offending field, nested paths with dots, unknown keys one by one', () => {
    const error = thrown(() =>
      tasks.build('task_failed', {
        task: { id: 'RQ-1' },
        note: 5,
        context: { duration_ms: 1.5, colour: 'red' },
        extra: true,
      } as never),
    ) as PayloadValidationError;
    expect(error.details.issues.map((issue) => `${issue.field} ${issue.message}`)).toEqual([
      'task.title is required',
      'context.duration_ms must be a whole number',
      'context.colour is not allowed here',
      'note must be a string, not a number',
      'extra is not allowed here',
    ]);
    expect(error.message).toBe(
      'Invalid task_failed input: task.title is required; context.duration_ms must be a whole number; ' +
        'context.colour is not allowed here; note must be a string, not a number; extra is not allowed here',
    );
  });

  it('names the whole input when it is not an object', () => {
    const error = thrown(() => tasks.build('loop_started', 'go' as never)) as PayloadValidationError;
    expect(error.message).toBe('Invalid loop_started input: input must be an object, not a string');
    expect(error.details.issues[0]?.path).toEqual([]);
  });

  it('caps the message at five issues and says how many more there are', () => {
    const error = thrown(() =>
      tasks.build('task_created', {
        task: {},
        context: { runner: 1, model: 2, branch: 3, commit: 4 },
      } as never),
    ) as PayloadValidationError;
    expect(error.details.issues).toHaveLength(6);
    expect(error.message.endsWith('; and 1 more')).toBe(true);
  });
});
