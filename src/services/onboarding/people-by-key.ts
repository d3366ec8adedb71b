import { Prisma } from '../../db/client';

/**
 * The tenant's people of `personIds` as a relation with `columns`, each once, found by its primary key
 * and then checked for the tenant. `OFFSET 0` keeps the tenant condition out of the lookup: while a new
 * tenant's people arrive, the statistics still say it has none, and a plan that scans the tenant's
 * index instead (cheap for none) makes every hire cost in proportion to everyone hired before it.
 */
export function peopleByKey(tenantId: string, personIds: readonly string[], columns: readonly string[]): Prisma.Sql {
  const wanted = Prisma.raw(columns.map((c) => `p.${c}`).join(', '));
  const read = Prisma.raw(['tenant_id', ...columns.filter((c) => c !== 'tenant_id')].join(', '));
  return Prisma.sql`SELECT ${wanted}
                      FROM unnest(${[...new Set(personIds)]}::uuid[]) AS wanted(id)
                      CROSS JOIN LATERAL (SELECT ${read} FROM person WHERE id = wanted.id OFFSET 0) p
                     WHERE p.tenant_id = ${tenantId}::uuid`;
}
