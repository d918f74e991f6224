import type { ApplicationStatus } from '@hooks/payloads';
import type { Kysely } from 'kysely';
import type { FinanceApplicationRow, FinanceApplicationUpdate, MockDatabase } from './mock-schema.js';
import { type PageOf, type PageRequest, selectPage } from './pagination.js';

/** What creating a finance application takes. */
export interface NewFinanceApplication {
  /** The campaign it belongs to (must exist). */
  campaignId: number;
  /** The applicant's name. */
  applicantName: string;
  /** The applicant's e-mail. */
  applicantEmail?: string | null;
  /** The amount asked for. */
  requestedAmount?: number | null;
}

/** Editable fields of a finance application (not its status). */
export interface FinanceApplicationEdit {
  /** New applicant name. */
  applicantName?: string;
  /** New e-mail (null clears it). */
  applicantEmail?: string | null;
  /** New amount (null clears it). */
  requestedAmount?: number | null;
}

/** Inserts a finance application in `draft` and returns the row. */
export async function insertFinanceApplication(
  db: Kysely<MockDatabase>,
  input: NewFinanceApplication,
  now: Date,
): Promise<FinanceApplicationRow> {
  const at = now.toISOString();
  return db
    .insertInto('finance_applications')
    .values({
      campaign_id: input.campaignId,
      applicant_name: input.applicantName,
      applicant_email: input.applicantEmail ?? null,
      requested_amount: input.requestedAmount ?? null,
      status: 'draft',
      submitted_at: null,
      created_at: at,
      updated_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The finance application with this id, or undefined. */
export async function findFinanceApplication(
  db: Kysely<MockDatabase>,
  id: number,
): Promise<FinanceApplicationRow | undefined> {
  return db.selectFrom('finance_applications').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One page of finance applications, oldest first. */
export async function listFinanceApplications(
  db: Kysely<MockDatabase>,
  request: PageRequest,
): Promise<PageOf<FinanceApplicationRow>> {
  return selectPage(
    db.selectFrom('finance_applications').selectAll().orderBy('id'),
    db
      .selectFrom('finance_applications')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('total')),
    request,
  );
}

/** Applies edits (not the status); returns the updated row, or undefined when the id names nothing. */
export async function editFinanceApplication(
  db: Kysely<MockDatabase>,
  id: number,
  edit: FinanceApplicationEdit,
  now: Date,
): Promise<FinanceApplicationRow | undefined> {
  const changes: FinanceApplicationUpdate = { updated_at: now.toISOString() };
  if (edit.applicantName !== undefined) changes.applicant_name = edit.applicantName;
  if (edit.applicantEmail !== undefined) changes.applicant_email = edit.applicantEmail;
  if (edit.requestedAmount !== undefined) changes.requested_amount = edit.requestedAmount;
  return db
    .updateTable('finance_applications')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Sets an application's status (and `submitted_at` the first time it is submitted); returns the row. */
export async function writeApplicationStatus(
  db: Kysely<MockDatabase>,
  row: FinanceApplicationRow,
  status: ApplicationStatus,
  now: Date,
): Promise<FinanceApplicationRow> {
  const at = now.toISOString();
  const submittedAt = status === 'submitted' && row.submitted_at === null ? at : row.submitted_at;
  return db
    .updateTable('finance_applications')
    .set({ status, submitted_at: submittedAt, updated_at: at })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
