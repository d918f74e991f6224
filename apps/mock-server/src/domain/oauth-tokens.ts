import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { MockDatabase } from './mock-schema.js';

/** How long issued tokens last, in seconds. */
export const TOKEN_TTL_SECONDS = 3600;

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Issues a bearer token for `clientId`, valid for `ttlSeconds`. Only its SHA-256 is stored (so every server
 * process on the same database accepts it); expired tokens are deleted on the way.
 *
 * @example
 * const token = await issueToken(db, 'my-client', 3600, new Date());
 */
export async function issueToken(
  db: Kysely<MockDatabase>,
  clientId: string,
  ttlSeconds: number,
  now: Date,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.deleteFrom('oauth_tokens').where('expires_at', '<=', now.toISOString()).execute();
  await db
    .insertInto('oauth_tokens')
    .values({
      token_hash: hashToken(token),
      client_id: clientId,
      expires_at: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
      created_at: now.toISOString(),
    })
    .execute();
  return token;
}

/** True when `token` was issued by some server on this database and has not expired. */
export async function isTokenValid(db: Kysely<MockDatabase>, token: string, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('oauth_tokens')
    .select('client_id')
    .where('token_hash', '=', hashToken(token))
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return row !== undefined;
}
