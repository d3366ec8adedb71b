import { certificationWorkflowId } from '../../src/domain/workflow-ids';
import { certificationProgressQuery, type CertificationProgress } from '../../src/workflows/certification';
import { completionReport, createTenant, givenCatalog, hireEvent } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';

/**
 * A person's certification process follows the records: a role that requires the certification
 * assigns its initial path; completing it certifies; a revoked certificate sends the person back to
 * the initial path; a leaver's process stops and a rehire picks up from the certificates they hold;
 * moving out of the role stops it too. Nothing is overwritten: every certificate stays on record.
 */
describe('a certification through revocation, leaving, rehire and transfer', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function given() {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: { 'gxp-basics': ['gxp-101'] }, roles: { 'lab-analyst': [], 'office-clerk': [] } });
    const program = await h.db.program.findFirstOrThrow({ where: { tenantId, key: 'gxp-basics' } });
    const certification = await h.db.certification.create({
      data: { tenantId, key: 'gxp', title: 'GxP', initialProgramId: program.id, recertificationProgramId: program.id, activePeriod: 'P2Y', windowPeriod: 'P3M', expiryBase: 'previous_expiry', dueOffsetDays: 14 },
    });
    const role = await h.db.role.findFirstOrThrow({ where: { tenantId, key: 'lab-analyst' } });
    await h.db.certificationRequirement.create({ data: { tenantId, roleId: role.id, certificationId: certification.id } });
    const hire = hireEvent({ externalId: 'A-7', roles: ['lab-analyst'], email: 'analyst@example.com' });
    const hired = await api.post('/api/v1/hr/events', hire);
    expect(hired.status).toBe(202);
    const personId: string = hired.body.personId;
    const handle = h.temporal.workflow.getHandle(certificationWorkflowId(tenantId, certification.id, personId));
    const progress = async (expected: (p: CertificationProgress) => boolean, run?: string): Promise<CertificationProgress> => {
      let last: CertificationProgress | null = null;
      for (let i = 0; i < 200; i++) {
        last = await handle.query(certificationProgressQuery).catch(() => null);
        if (last && expected(last) && (!run || (await handle.describe()).runId !== run)) return last;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the certification process never got there; last seen ${JSON.stringify(last)}`);
    };
    const assignment = () => h.db.assignment.findFirstOrThrow({ where: { tenantId, personId, programId: program.id } });
    /** A history of certificates from the system trainhub replaces. */
    const importCsv = async (csv: string) =>
      (await fetch(`${h.baseUrl}/api/v1/certificates/import`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv' }, body: csv })).status;
    return { tenantId, api, personId, hire, handle, progress, assignment, certification, importCsv };
  }

  test('a revoked certificate sends its holder back to the initial path; only completions after the revocation certify again', async () => {
    const { tenantId, api, personId, progress, assignment } = await given();
    await progress((p) => p.state === 'assigned');
    await h.mail.waitFor((m) => m.envelopeTo.includes('analyst@example.com') && m.subject === 'Certification required: GxP');
    await api.post('/api/v1/completions', completionReport(personId, 'gxp-101'));
    const certified = await progress((p) => p.state === 'certified');
    const first = await h.db.certificate.findFirstOrThrow({ where: { tenantId, personId } });
    expect(certified.certificateNumber).toBe(first.number);

    const revoked = await api.post(`/api/v1/certificates/${first.id}/revoke`, { reason: 'Training records were falsified' });
    expect(revoked.status).toBe(200);
    await progress((p) => p.state === 'assigned' && p.certificateNumber === null);
    await h.mail.waitFor((m) => m.envelopeTo.includes('analyst@example.com') && m.text.includes('Your GxP certificate was revoked.'));
    const reopened = await assignment();
    expect(reopened).toMatchObject({ status: 'assigned', source: 'certification' });
    expect(reopened.completionsCountFrom!.getTime()).toBe((await h.db.certificate.findUniqueOrThrow({ where: { id: first.id } })).revokedAt!.getTime());

    await api.post('/api/v1/completions', completionReport(personId, 'gxp-101'));
    await progress((p) => p.state === 'certified' && p.certificateNumber !== null && p.certificateNumber !== first.number);
    const all = await h.db.certificate.findMany({ where: { tenantId, personId }, orderBy: { cycle: 'asc' } });
    expect(all.map((c) => [c.cycle, c.basis, c.revokedAt !== null])).toEqual([
      [1, 'initial', true],
      [2, 'initial', false],
    ]);
  });

  test("a leaver's process stops; a rehire resumes from the certificate they hold", async () => {
    const { tenantId, api, personId, hire, handle, progress } = await given();
    await progress((p) => p.state === 'assigned');
    await api.post('/api/v1/completions', completionReport(personId, 'gxp-101'));
    const certified = await progress((p) => p.state === 'certified');
    const before = (await handle.describe()).runId;

    await api.post('/api/v1/hr/events', { type: 'terminate', eventId: 'evt-leave', source: 'workday', person: { externalId: 'A-7' } });
    await progress((p) => p.ended && p.state === 'inactive');
    expect((await handle.describe()).status.name).toBe('COMPLETED');

    await api.post('/api/v1/hr/events', { ...hire, eventId: 'evt-rehire' });
    const resumed = await progress((p) => p.state === 'certified', before);
    expect(resumed).toMatchObject({ ended: false, certificateNumber: certified.certificateNumber, expiresOn: certified.expiresOn, nextAt: certified.nextAt });
    expect(await h.db.certificate.count({ where: { tenantId, personId } })).toBe(1);
  });

  test("a leaver's open path is closed with the termination and stays closed", async () => {
    const { api, progress, assignment } = await given();
    await progress((p) => p.state === 'assigned');
    await api.post('/api/v1/hr/events', { type: 'terminate', eventId: 'evt-leave', source: 'workday', person: { externalId: 'A-7' } });
    await progress((p) => p.ended && p.state === 'inactive');
    expect(await assignment()).toMatchObject({ status: 'cancelled', statusReason: 'person terminated' });
  });

  test('moving out of the role stops the process and waives the open path', async () => {
    const { api, progress, assignment } = await given();
    await progress((p) => p.state === 'assigned');
    const moved = await api.post('/api/v1/hr/events', { type: 'transfer', eventId: 'evt-move', source: 'workday', person: { externalId: 'A-7', roles: ['office-clerk'] } });
    expect(moved.status).toBe(202);
    await progress((p) => p.ended && p.state === 'inactive');
    expect(await assignment()).toMatchObject({ status: 'waived', statusReason: 'no longer required by role' });
  });

  test('an imported history is where the process starts: a valid certificate certifies, a lapsed one puts the holder back on the initial path', async () => {
    const { tenantId, api, progress, assignment, certification, importCsv } = await given();
    await progress((p) => p.state === 'assigned');
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    expect(await importCsv(`person,certification,issued,expires,number\nA-7,gxp,${day(-400)},${day(330)},OLD-1\n`)).toBe(200);
    const certified = await progress((p) => p.state === 'certified' && p.certificateNumber === 'OLD-1');
    expect(certified.expiresOn).toBe(day(330));
    expect(await assignment()).toMatchObject({ status: 'waived', statusReason: 'certificate in force' });

    // A colleague whose imported certificate lapsed last month is back on the initial path at once.
    const colleague = await api.post('/api/v1/hr/events', hireEvent({ externalId: 'A-8', roles: ['lab-analyst'], email: 'colleague@example.com' }));
    expect(await importCsv(`person,certification,issued,expires,number\nA-8,gxp,${day(-760)},${day(-30)},OLD-2\n`)).toBe(200);
    const handle = h.temporal.workflow.getHandle(certificationWorkflowId(tenantId, certification.id, colleague.body.personId));
    for (let i = 0; i < 100 && (await handle.query(certificationProgressQuery).catch(() => null))?.state !== 'expired'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await handle.query(certificationProgressQuery)).toMatchObject({ state: 'expired', certificateNumber: 'OLD-2', expiresOn: day(-30), nextAt: null });
    const path = await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId: colleague.body.personId, programId: certification.initialProgramId } });
    expect(path).toMatchObject({ status: 'assigned', source: 'certification', dueDate: new Date(`${day(14)}T00:00:00Z`) });
    await h.mail.waitFor((m) => m.envelopeTo.includes('colleague@example.com') && m.subject === 'Expired: your GxP certificate');
  });
});
