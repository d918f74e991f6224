import type { SelectQueryBuilder } from 'kysely';

/** A page request: 1-based page number and page size. */
export interface PageRequest {
  /** 1-based page number. */
  readonly page: number;
  /** Rows per page. */
  readonly perPage: number;
}

/** One page of rows with the metadata list endpoints return. */
export interface PageOf<T> {
  /** The rows of this page. */
  rows: T[];
  /** Pagination metadata. */
  meta: { page: number; per_page: number; total: number; total_pages: number };
}

/**
 * Runs a select one page at a time (ordered by `id`), with the total count.
 *
 * @example
 * const all = db.selectFrom('campaigns');
 * const page = await selectPage(all.selectAll(), all.select((eb) => eb.fn.countAll().as('total')), { page: 1, perPage: 25 });
 */
export async function selectPage<DB, TB extends keyof DB, Row>(
  rows: SelectQueryBuilder<DB, TB, Row>,
  count: SelectQueryBuilder<DB, TB, { total: number | string | bigint }>,
  request: PageRequest,
): Promise<PageOf<Row>> {
  const { total } = (await count.executeTakeFirst()) ?? { total: 0 };
  const page = await rows
    .limit(request.perPage)
    .offset((request.page - 1) * request.perPage)
    .execute();
  const totalCount = Number(total);
  return {
    rows: page,
    meta: {
      page: request.page,
      per_page: request.perPage,
      total: totalCount,
      total_pages: Math.ceil(totalCount / request.perPage),
    },
  };
}
