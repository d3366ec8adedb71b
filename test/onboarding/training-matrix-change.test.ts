import { createTenant, givenCatalog } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';

/**
 * Compliance changes the matrix for a whole workforce at once: every affected person gets exactly the
 * difference, computed in one set-based statement, and running it again changes nothing.
 */
describe('retroactive training-matrix changes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    // The people's processes are started, but running a thousand of them is not what this file tests.
    await h.stopWorker();
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

  const statusCounts = async (tenantId: string) => {
    const rows = await h.db.assignment.groupBy({ by: ['status'], where: { tenantId }, _count: true, orderBy: { status: 'asc' } });
    return Object.fromEntries(rows.map((r) => [r.status, r._count]));
  };

  test('a change affecting 1,000 people gives each exactly the difference, and a second run changes nothing', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, {
      programs: { privacy: ['hipaa-basics'], 'clinical-safety': ['infection-control'], 'fire-safety': ['fire-drill'] },
      roles: { nurse: [], porter: [{ program: 'fire-safety', dueOffsetDays: 7 }] },
    });
    await givenPeople(tenantId, 'nurse', 1000, 'N');
    await givenPeople(tenantId, 'porter', 25, 'P');
    expect((await api.post('/api/v1/training-matrix/sync')).body).toMatchObject({ peopleAffected: 25, assigned: 25 });

    const privacyRule = await api.post('/api/v1/requirements', { role: 'nurse', program: 'privacy', dueOffsetDays: 14 });
    expect(privacyRule.status).toBe(201);
    expect(privacyRule.body.matrixSync).toEqual({ peopleAffected: 1000, assigned: 1000, reassigned: 0, waived: 0, byProgram: { privacy: { assigned: 1000, waived: 0 } } });
    // 100 nurses finish privacy before the rules change.
    await h.db.$executeRaw`
      UPDATE assignment SET status = 'completed', completed_at = now()
       WHERE id IN (SELECT a.id FROM assignment a JOIN person p ON p.id = a.person_id
                     WHERE a.tenant_id = ${tenantId}::uuid AND p.external_id ~ '^N([1-9]|[1-9][0-9]|100)$')`;

    // Nurses now need clinical safety instead of privacy; porters are untouched.
    const clinicalRule = await api.post('/api/v1/requirements', { role: 'nurse', program: 'clinical-safety', dueOffsetDays: 30 });
    expect(clinicalRule.body.matrixSync).toEqual({
      peopleAffected: 1000,
      assigned: 1000,
      reassigned: 0,
      waived: 0,
      byProgram: { 'clinical-safety': { assigned: 1000, waived: 0 } },
    });
    expect((await api.delete(`/api/v1/requirements/${privacyRule.body.id}`)).status).toBe(204);

    expect(await statusCounts(tenantId)).toEqual({ assigned: 1025, completed: 100, waived: 900 });
    const waivedReasons = await h.db.assignment.groupBy({ by: ['statusReason'], where: { tenantId, status: 'waived' }, _count: true });
    expect(waivedReasons).toEqual([{ statusReason: 'no longer required by role', _count: 900 }]);
    expect(await h.db.auditEvent.count({ where: { tenantId, action: 'assignment.waived' } })).toBe(900);

    const again = await api.post('/api/v1/training-matrix/sync');
    expect(again.body).toEqual({ peopleAffected: 0, assigned: 0, reassigned: 0, waived: 0, byProgram: {} });
    expect(await statusCounts(tenantId)).toEqual({ assigned: 1025, completed: 100, waived: 900 });
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

    const result = await apiClient(h.baseUrl, apiKey).post('/api/v1/training-matrix/sync');

    expect(result.body).toMatchObject({ peopleAffected: 1, assigned: 1 });
    const owner = await h.db.assignment.findFirstOrThrow({ where: { tenantId }, include: { person: true } });
    expect(owner.person.externalId).toBe('N2');
  });
});
