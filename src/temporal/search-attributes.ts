import type { Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** Operators find a tenant's or a person's processes with e.g. `TrainhubPersonId = "<id>"` (the dispatcher sets them). */
export const TENANT_ID = defineSearchAttributeKey('TrainhubTenantId', SearchAttributeType.KEYWORD);
export const PERSON_ID = defineSearchAttributeKey('TrainhubPersonId', SearchAttributeType.KEYWORD);

/** Registers trainhub's search attributes on the namespace if it lacks them (idempotent). */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = [TENANT_ID, PERSON_ID].filter((key) => !(key.name in (customAttributes ?? {})));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
}
