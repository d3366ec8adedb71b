import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/client';
import type { Scope } from '../../src/domain/scopes';
import { createTenant } from '../support/builders';
import type { Harness } from '../support/harness';
import { apiClient } from '../support/http';

/** A tenant of the test's own with an API client for it. */
export async function tenantWithApi(h: Harness, scopes?: readonly Scope[]) {
  const tenant = await createTenant(h.db, scopes);
  return { ...tenant, api: apiClient(h.baseUrl, tenant.apiKey) };
}

/**
 * A person already on record, holding the given roles and assigned the given programs (by key):
 * the history that catalog deletes must never cascade away.
 */
export async function givenPerson(db: Db, tenantId: string, spec: { roles?: string[]; assigned?: string[] } = {}) {
  const externalId = `E-${randomUUID().slice(0, 8)}`;
  const roles = await db.role.findMany({ where: { tenantId, key: { in: spec.roles ?? [] } } });
  const programs = await db.program.findMany({ where: { tenantId, key: { in: spec.assigned ?? [] } } });
  return db.person.create({
    data: {
      tenantId,
      source: 'workday',
      externalId,
      email: `${externalId.toLowerCase()}@example.com`,
      name: 'Ada Lovelace',
      hireDate: new Date('2026-03-02T00:00:00Z'),
      roles: { create: roles.map((role) => ({ tenantId, roleId: role.id })) },
      assignments: {
        create: programs.map((program) => ({
          tenantId,
          programId: program.id,
          mandatory: true,
          source: 'onboarding',
          dueDate: new Date('2026-03-16T00:00:00Z'),
        })),
      },
    },
  });
}
