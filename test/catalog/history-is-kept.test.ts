import { Prisma } from '../../src/db/client';
import { givenOrganisation, renewalRequest, threeLevelChain } from '../renewals/fixtures';
import { completionReport } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';

/**
 * What renewals, approval chains and completions refer to cannot be deleted from the catalog: the
 * API says what still uses it, and the database itself refuses should anything slip past that check.
 */
describe('catalog entries that history refers to', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  test('a program with a renewal request and a role an approval chain names are 409, and stay', async () => {
    const { tenantId, api, people } = await givenOrganisation(h.db, h.baseUrl);
    await api.put('/api/v1/approval-chains/program', threeLevelChain());
    await api.post('/api/v1/renewals', renewalRequest(people.rita.id));

    const program = await api.delete('/api/v1/programs/privacy');
    const role = await api.delete('/api/v1/roles/compliance-officer');

    expect(program.status).toBe(409);
    expect(program.body.error.details.usage).toMatchObject({ renewals: 1 });
    expect(role.status).toBe(409);
    expect(role.body.error.details.usage).toMatchObject({ approvalLevels: 1 });
    expect(await h.db.renewalRequest.count({ where: { tenantId } })).toBe(1);
  });

  test('the database refuses to delete a course that completions record, even bypassing the API', async () => {
    const { tenantId, api, people } = await givenOrganisation(h.db, h.baseUrl);
    expect((await api.post('/api/v1/completions', completionReport(people.nick.id, 'hipaa-basics'))).status).toBe(201);
    await h.db.programCourse.deleteMany({ where: { tenantId } });

    const course = await h.db.course.findFirstOrThrow({ where: { tenantId, key: 'hipaa-basics' } });
    const refused = await h.db.course.delete({ where: { id: course.id } }).catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((refused as Prisma.PrismaClientKnownRequestError).code).toBe('P2003');
    expect(await h.db.completion.count({ where: { tenantId } })).toBe(1);
  });
});
