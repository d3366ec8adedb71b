import type { Db } from '../../db/client';

/**
 * Removes a tenant and everything it holds, in one transaction. The catalog's history links do not
 * cascade (deleting a course must never take completions with it), so the rows that point at
 * catalog entries go first; the tenant's own cascade removes the rest.
 */
export async function removeTenant(db: Db, tenantId: string): Promise<void> {
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`DELETE FROM renewal_request WHERE tenant_id = ${tenantId}::uuid`;
      // Certifications name their programs, and their requirements roles, without cascading.
      await tx.$executeRaw`DELETE FROM certification WHERE tenant_id = ${tenantId}::uuid`;
      await tx.$executeRaw`DELETE FROM xapi_course_mapping WHERE tenant_id = ${tenantId}::uuid`;
      await tx.$executeRaw`DELETE FROM scorm_attempt WHERE tenant_id = ${tenantId}::uuid`;
      await tx.$executeRaw`DELETE FROM scorm_package WHERE tenant_id = ${tenantId}::uuid`;
      await tx.$executeRaw`DELETE FROM completion WHERE tenant_id = ${tenantId}::uuid`;
      await tx.$executeRaw`DELETE FROM assignment WHERE tenant_id = ${tenantId}::uuid`;
      await tx.$executeRaw`DELETE FROM requirement WHERE tenant_id = ${tenantId}::uuid`;
      await tx.$executeRaw`DELETE FROM program_course WHERE tenant_id = ${tenantId}::uuid`;
      await tx.$executeRaw`DELETE FROM person_role WHERE tenant_id = ${tenantId}::uuid`;
      // Process commands name their tenant without a foreign key (the dispatcher's table stays lean): no wake-up outlives it.
      await tx.$executeRaw`DELETE FROM process_command WHERE tenant_id = ${tenantId}::uuid`;
      await tx.tenant.delete({ where: { id: tenantId } });
    },
    { timeout: 30 * 60_000 },
  );
}
