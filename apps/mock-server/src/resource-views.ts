import type { DeliveryAttempt, WebhookEvent } from '@hooks/core';
import type { CampaignRow, FinanceApplicationRow } from './domain/mock-schema.js';

/** A campaign as the API shows it. */
export function campaignView(row: CampaignRow): Record<string, unknown> {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** A finance application as the API shows it. */
export function applicationView(row: FinanceApplicationRow): Record<string, unknown> {
  return {
    id: row.id,
    campaign_id: row.campaign_id,
    applicant_name: row.applicant_name,
    applicant_email: row.applicant_email,
    requested_amount: row.requested_amount === null ? null : Number(row.requested_amount),
    status: row.status,
    submitted_at: row.submitted_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/** A webhook event row as the admin API lists it (no payload). */
export function eventSummaryView(event: WebhookEvent): Record<string, unknown> {
  return {
    id: event.id,
    type: event.eventType,
    status: event.status,
    attempts: event.attempts,
    max_attempts: event.maxAttempts,
    next_retry_at: iso(event.nextRetryAt),
    last_attempt_at: iso(event.lastAttemptAt),
    last_error: event.lastError,
    response_status: event.responseStatus,
    delivered_at: iso(event.deliveredAt),
    inserted_at: event.insertedAt.toISOString(),
    updated_at: event.updatedAt.toISOString(),
    replay_count: event.replayCount,
    target_url: event.targetUrl,
  };
}

/** One delivery attempt as the admin API shows it. */
export function attemptView(attempt: DeliveryAttempt): Record<string, unknown> {
  return {
    attempt_number: attempt.attemptNumber,
    replay_count: attempt.replayCount,
    started_at: attempt.startedAt.toISOString(),
    finished_at: attempt.finishedAt.toISOString(),
    duration_ms: attempt.durationMs,
    response_status: attempt.responseStatus,
    response_body: attempt.responseBody,
    error: attempt.error,
    request_headers: attempt.requestHeaders,
    worker_id: attempt.workerId,
  };
}

/** A webhook event with its payload, last response and every attempt. */
export function eventDetailView(
  event: WebhookEvent,
  attempts: readonly DeliveryAttempt[],
): Record<string, unknown> {
  return {
    ...eventSummaryView(event),
    payload: event.payload,
    response_body: event.responseBody,
    attempt_history: attempts.map(attemptView),
  };
}
