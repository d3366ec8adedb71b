import { Prisma, type DbTx } from '../../db/client';
import { DomainError, UnknownReference } from '../../domain/errors';
import { isUuid } from '../catalog/common';
import { peopleByKey } from './people-by-key';

/** Who is meant: an LMS may know trainhub's id, the HR system's external id, or only the e-mail. */
export type PersonReference = { id: string } | { externalId: string } | { email: string };

/** The person each reference names, or why it names nobody (unknown) or several (ambiguous): one query for all. */
export async function resolvePeople(db: DbTx, tenantId: string, references: readonly PersonReference[]): Promise<(string | DomainError)[]> {
  const ids = references.flatMap((r) => ('id' in r && isUuid(r.id) ? [r.id.toLowerCase()] : []));
  const externalIds = references.flatMap((r) => ('externalId' in r ? [r.externalId] : []));
  const emails = references.flatMap((r) => ('email' in r ? [r.email] : []));
  // One statement of the kinds named, each an array parameter (not a value per person: a batch names a thousand).
  const columns = ['id', 'external_id', 'email'];
  const kinds = [
    ...(ids.length > 0 ? [peopleByKey(tenantId, ids, columns)] : []),
    ...(externalIds.length > 0 ? [Prisma.sql`SELECT id, external_id, email FROM person WHERE tenant_id = ${tenantId}::uuid AND external_id = ANY(${externalIds}::text[])`] : []),
    ...(emails.length > 0 ? [Prisma.sql`SELECT id, external_id, email FROM person WHERE tenant_id = ${tenantId}::uuid AND email = ANY(${emails}::text[])`] : []),
  ];
  const rows = kinds.length === 0 ? [] : await db.$queryRaw<{ id: string; external_id: string; email: string }[]>`${Prisma.join(kinds, ' UNION ')}`;
  const index = (key: (row: (typeof rows)[number]) => string) => {
    const byKey = new Map<string, string[]>();
    for (const row of rows) byKey.set(key(row), [...(byKey.get(key(row)) ?? []), row.id]);
    return byKey;
  };
  const [byId, byExternalId, byEmail] = [index((r) => r.id), index((r) => r.external_id), index((r) => r.email)];
  return references.map((reference) => {
    const matches = ('id' in reference ? byId.get(reference.id.toLowerCase()) : 'externalId' in reference ? byExternalId.get(reference.externalId) : byEmail.get(reference.email)) ?? [];
    if (matches.length === 0) return new UnknownReference('person', reference);
    if (matches.length > 1) {
      return new DomainError(422, 'ambiguous_person', `More than one person matches ${JSON.stringify(reference)}; identify them by id`, { person: reference });
    }
    return matches[0]!;
  });
}

export async function resolvePerson(db: DbTx, tenantId: string, reference: PersonReference): Promise<string> {
  const [resolved] = await resolvePeople(db, tenantId, [reference]);
  if (resolved instanceof DomainError) throw resolved;
  return resolved!;
}
