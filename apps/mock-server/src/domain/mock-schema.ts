import type { ApplicationStatus, CampaignStatus } from '@hooks/payloads';
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** The `campaigns` table. Times are ISO-8601 strings in UTC (the same on SQLite and PostgreSQL). */
export interface CampaignsTable {
  /** Integer id, assigned by the database. */
  id: Generated<number>;
  /** Display name. */
  name: string;
  /** Free text, or null. */
  description: string | null;
  /** Lifecycle status. */
  status: CampaignStatus;
  /** When the row was created. */
  created_at: string;
  /** When the row last changed. */
  updated_at: string;
}

/** The `finance_applications` table. */
export interface FinanceApplicationsTable {
  /** Integer id, assigned by the database. */
  id: Generated<number>;
  /** The campaign the application belongs to. */
  campaign_id: number;
  /** The applicant's name. */
  applicant_name: string;
  /** The applicant's e-mail, or null. */
  applicant_email: string | null;
  /** The amount asked for, or null. */
  requested_amount: number | null;
  /** Lifecycle status. */
  status: ApplicationStatus;
  /** When it was first submitted, or null. */
  submitted_at: string | null;
  /** When the row was created. */
  created_at: string;
  /** When the row last changed. */
  updated_at: string;
}

/** The `oauth_tokens` table: issued bearer tokens (only their SHA-256 is kept). */
export interface OauthTokensTable {
  /** Hex SHA-256 of the token. */
  token_hash: string;
  /** The client id from the Basic credentials. */
  client_id: string;
  /** When the token stops being accepted. */
  expires_at: string;
  /** When it was issued. */
  created_at: string;
}

/** The mock server's own tables (the webhook store's tables live beside them). */
export interface MockDatabase {
  /** Campaigns. */
  campaigns: CampaignsTable;
  /** Finance applications. */
  finance_applications: FinanceApplicationsTable;
  /** Issued OAuth tokens. */
  oauth_tokens: OauthTokensTable;
}

/** A campaign row. */
export type CampaignRow = Selectable<CampaignsTable>;
/** A new campaign row. */
export type NewCampaignRow = Insertable<CampaignsTable>;
/** A finance application row. */
export type FinanceApplicationRow = Selectable<FinanceApplicationsTable>;
/** A new finance application row. */
export type NewFinanceApplicationRow = Insertable<FinanceApplicationsTable>;
/** Changes to a finance application row. */
export type FinanceApplicationUpdate = Updateable<FinanceApplicationsTable>;
