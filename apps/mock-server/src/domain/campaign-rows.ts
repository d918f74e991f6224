import type { CampaignStatus } from '@hooks/payloads';
import type { Kysely } from 'kysely';
import type { CampaignRow, MockDatabase } from './mock-schema.js';
import { type PageOf, type PageRequest, selectPage } from './pagination.js';

/** What creating a campaign takes. */
export interface NewCampaign {
  /** Display name. */
  name: string;
  /** Optional free text. */
  description?: string | null;
}

/** Inserts a campaign in `draft` and returns the row. */
export async function insertCampaign(
  db: Kysely<MockDatabase>,
  input: NewCampaign,
  now: Date,
): Promise<CampaignRow> {
  const at = now.toISOString();
  return db
    .insertInto('campaigns')
    .values({
      name: input.name,
      description: input.description ?? null,
      status: 'draft',
      created_at: at,
      updated_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The campaign with this id, or undefined. */
export async function findCampaign(db: Kysely<MockDatabase>, id: number): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One page of campaigns, oldest first. */
export async function listCampaigns(
  db: Kysely<MockDatabase>,
  request: PageRequest,
): Promise<PageOf<CampaignRow>> {
  return selectPage(
    db.selectFrom('campaigns').selectAll().orderBy('id'),
    db.selectFrom('campaigns').select((eb) => eb.fn.countAll<number | string | bigint>().as('total')),
    request,
  );
}

/** Sets a campaign's status and returns the updated row. */
export async function writeCampaignStatus(
  db: Kysely<MockDatabase>,
  id: number,
  status: CampaignStatus,
  now: Date,
): Promise<CampaignRow> {
  return db
    .updateTable('campaigns')
    .set({ status, updated_at: now.toISOString() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
