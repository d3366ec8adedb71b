import { createTenant, givenCatalog } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { waitForOperation } from '../support/operations';

/**
 * Compliance changes the matrix for a whole workforce at once: every affected person gets exactly the
 * difference, computed in one set-based statement by the change's operation, and running it again
 * changes nothing.
 */
describe('retroactive training-matrix changes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** `count` people holding `role`, created in one statement. */
  async function givenPeople(tenantId: string, role: string, count: number, prefix: string) {
    await h.db.$executeRaw`
      WITH made AS (
        INSERT INTO person (id, tenant_id, source, external_id, email, name, hire_date, updated_at)
        SELECT gen_random_uuid(), ${tenantId}::uuid, 'workday', ${prefix} || n, ${prefix} || n || '@example.com', 'Person ' || n, current_date, now()
          FROM generate_series(1, ${count}::int) AS n
        RETURNING id
      )
      INSERT INTO person_role (tenant_id, person_id, role_id, since)
      SELECT ${tenantId}::uuid, made.id, r.id, now() FROM made, role r WHERE r.tenant_id = ${tenantId}::uuid AND r.key = ${role}`;
  }

  /** Posts a change and answers with what its operation did once it has finished. */
  async function applied(api: ReturnType<typeof apiClient>, request: Promise<{ status: number; body: any }>) {
    const response = await request;
    expect(response.status).toBe(202);
    const operation = await waitForOperation(api, response.body.operation.id);
    expect(operation.state).toBe('completed');
    return { ...response.body, result: operation.result, progress: operation.progress };
  }

  const statusCounts = async (tenantId: string) => {
    const rows = await h.db.assignment.groupBy({ by: ['status'], where: { tenantId }, _count: true, orderBy: { status: 'asc' } });
    return Object.fromEntries(rows.map((r) => [r.status, r._count]));
  };

  test('a change affecting 200 people gives each exactly the difference, wakes each once, and a second run changes nothing', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, {
      programs: { privacy: ['hipaa-basics'], 'clinical-safety': ['infection-control'], 'fire-safety': ['fire-drill'] },
      roles: { nurse: [], porter: [{ program: 'fire-safety', dueOffsetDays: 7 }] },
    });
    await givenPeople(tenantId, 'nurse', 200, 'N');
    await givenPeople(tenantId, 'porter', 25, 'P');
    expect((await applied(api, api.post('/api/v1/training-matrix/sync'))).result).toMatchObject({ peopleAffected: 25, assigned: 25 });

    const privacyRule = await applied(api, api.post('/api/v1/requirements', { role: 'nurse', program: 'privacy', dueOffsetDays: 14 }));
    expect(privacyRule.result).toEqual({ peopleAffected: 200, assigned: 200, reassigned: 0, waived: 0, byProgram: { privacy: { assigned: 200, waived: 0 } } });
    expect(privacyRule.progress).toEqual({ processesToWake: 200, processesWoken: 200 });
    // 20 nurses finish privacy before the rules change.
    await h.db.$executeRaw`
      UPDATE assignment SET status = 'completed', completed_at = now()
       WHERE id IN (SELECT a.id FROM assignment a JOIN person p ON p.id = a.person_id
                     WHERE a.tenant_id = ${tenantId}::uuid AND p.external_id ~ '^N([1-9]|1[0-9]|20)$')`;

    // Nurses now need clinical safety instead of privacy; porters are untouched.
    const clinicalRule = await applied(api, api.post('/api/v1/requirements', { role: 'nurse', program: 'clinical-safety', dueOffsetDays: 30 }));
    expect(clinicalRule.result).toEqual({
      peopleAffected: 200,
      assigned: 200,
      reassigned: 0,
      waived: 0,
      byProgram: { 'clinical-safety': { assigned: 200, waived: 0 } },
    });
    const removed = await applied(api, api.delete(`/api/v1/requirements/${privacyRule.id}`));
    expect(removed.result).toMatchObject({ peopleAffected: 180, waived: 180 });
    expect(removed.progress).toEqual({ processesToWake: 180, processesWoken: 180 });

    expect(await statusCounts(tenantId)).toEqual({ assigned: 225, completed: 20, waived: 180 });
    const waivedReasons = await h.db.assignment.groupBy({ by: ['statusReason'], where: { tenantId, status: 'waived' }, _count: true });
    expect(waivedReasons).toEqual([{ statusReason: 'no longer required by role', _count: 180 }]);
    expect(await h.db.auditEvent.count({ where: { tenantId, action: 'assignment.waived' } })).toBe(180);

    const again = await applied(api, api.post('/api/v1/training-matrix/sync'));
    expect(again.result).toEqual({ peopleAffected: 0, assigned: 0, reassigned: 0, waived: 0, byProgram: {} });
    expect(again.progress).toEqual({ processesToWake: 0, processesWoken: 0 });
    expect(await statusCounts(tenantId)).toEqual({ assigned: 225, completed: 20, waived: 180 });
  });

  test('department and location filters narrow a rule to the people they name', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    await givenCatalog(h.db, tenantId, { programs: { radiation: ['radiation-safety'] }, roles: { nurse: [] } });
    await givenPeople(tenantId, 'nurse', 4, 'N');
    await h.db.person.updateMany({ where: { tenantId, externalId: { in: ['N1', 'N2'] } }, data: { department: 'Radiology' } });
    await h.db.person.updateMany({ where: { tenantId, externalId: 'N2' }, data: { location: 'Berlin' } });
    const nurse = await h.db.role.findFirstOrThrow({ where: { tenantId } });
    const radiation = await h.db.program.findFirstOrThrow({ where: { tenantId } });
    await h.db.requirement.create({ data: { tenantId, roleId: nurse.id, programId: radiation.id, dueOffsetDays: 10, department: 'Radiology', location: 'Berlin' } });

    const { result } = await applied(apiClient(h.baseUrl, apiKey), apiClient(h.baseUrl, apiKey).post('/api/v1/training-matrix/sync'));

    expect(result).toMatchObject({ peopleAffected: 1, assigned: 1 });
    const owner = await h.db.assignment.findFirstOrThrow({ where: { tenantId }, include: { person: true } });
    expect(owner.person.externalId).toBe('N2');
  });
});
