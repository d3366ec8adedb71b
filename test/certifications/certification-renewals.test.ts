import { certificationWorkflowId } from '../../src/domain/workflow-ids';
import { issueCertificate } from '../../src/services/certifications/issuance';
import { startHarness, type Harness } from '../support/harness';
import { decide, givenOrganisation, openStep, waitForRenewal } from '../renewals/fixtures';

/**
 * A certificate can also be renewed by approval: the request walks the tenant's approval chain for
 * certifications, and the approval issues the holder's next certificate — extended from the current
 * expiry or reissued as of the approval, as the tenant's renewal policy says — chained to the one it
 * supersedes, and the holder's certification process takes it up.
 */
describe('certification renewals through approval chains', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const DAY = 86_400_000;
  const today = () => new Date().toISOString().slice(0, 10);
  const plusDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
  const plusYear = (iso: string) => `${Number(iso.slice(0, 4)) + 1}${iso.slice(4)}`;
  const dayOf = (d: Date) => d.toISOString().slice(0, 10);

  /** Rita holds a BLS certificate that expires in 65 days; certification renewals pass her manager, then his. */
  async function givenHolder() {
    const org = await givenOrganisation(h.db, h.baseUrl);
    const { tenantId, api, people } = org;
    const program = await h.db.program.findFirstOrThrow({ where: { tenantId, key: 'clinical-safety' } });
    const certification = await h.db.certification.create({
      data: { tenantId, key: 'bls', title: 'Basic Life Support', initialProgramId: program.id, recertificationProgramId: program.id, activePeriod: 'P1Y', windowPeriod: 'P30D', expiryBase: 'completion_date' },
    });
    const expiresOn = plusDays(today(), 65);
    const first = await h.db.$transaction((tx) =>
      issueCertificate(tx, {
        tenantId,
        personId: people.rita.id,
        certificationId: certification.id,
        issuedOn: new Date(`${plusDays(expiresOn, -365)}T00:00:00Z`),
        expiresOn: new Date(`${expiresOn}T00:00:00Z`),
        cycle: 1,
        basis: 'initial',
        previousId: null,
        actor: { type: 'system' },
        publicUrl: 'http://trainhub.test',
      }),
    );
    const chain = {
      name: 'Certification renewals',
      levels: [
        { name: 'Line manager', approver: 'manager', deadline: 'P3D', onTimeout: 'auto_reject' },
        { name: 'Director', approver: 'managers_manager', deadline: 'P3D', onTimeout: 'auto_reject' },
      ],
    };
    expect((await api.put('/api/v1/approval-chains/certification', chain)).status).toBe(200);
    return { ...org, certification, first, expiresOn };
  }

  test('approved by both levels, the certificate is reissued as of the approval, chained to the one it supersedes', async () => {
    const org = await givenHolder();
    const { api, people, tenantId, certification, first } = org;
    const made = await api.post('/api/v1/renewals', { kind: 'certification', targetKey: 'bls', reason: 'Refresher attended at the county hospital', requesterId: people.rita.id });
    expect(made.status).toBe(202);
    expect(made.body.renewal).toMatchObject({ kind: 'certification', target: { key: 'bls', title: 'Basic Life Support' }, holder: { id: people.rita.id, name: 'Rita Requester' } });
    const id: string = made.body.renewal.id;

    expect((await decide(api, (await openStep(api, id, 1)).id, people.manny.id, 'approve')).status).toBe(200);
    // Nothing is issued before the last level approves.
    expect(await h.db.certificate.count({ where: { tenantId, personId: people.rita.id } })).toBe(1);
    expect((await decide(api, (await openStep(api, id, 2)).id, people.dora.id, 'approve')).status).toBe(200);
    await waitForRenewal(api, id, (r) => r.status === 'approved' && r.closedAt !== null, 'approved');

    const issued = await h.db.certificate.findMany({ where: { tenantId, personId: people.rita.id }, orderBy: { cycle: 'asc' } });
    expect(issued).toHaveLength(2);
    const [old, renewed] = issued as [(typeof issued)[0], (typeof issued)[0]];
    expect(old.supersededAt).not.toBeNull();
    expect(renewed).toMatchObject({ cycle: 2, basis: 'renewal_reissue', previousId: first.id, renewalRequestId: id, supersededAt: null, revokedAt: null });
    expect(dayOf(renewed.issuedOn)).toBe(today());
    expect(dayOf(renewed.expiresOn)).toBe(plusYear(today()));
    // Rita hears of her new certificate; her certification process was told.
    await h.mail.waitFor((m) => m.envelopeTo.includes(people.rita.email) && m.text.includes(renewed.number));
    const woken = await h.db.processCommand.findMany({ where: { tenantId, workflowId: certificationWorkflowId(tenantId, certification.id, people.rita.id) } });
    expect(woken.length).toBeGreaterThan(0);
    const trail = await h.db.auditEvent.findMany({ where: { tenantId, entityId: id, action: 'renewal.took_effect' } });
    expect(trail.map((e) => e.data)).toEqual([expect.objectContaining({ certificate: renewed.number, how: 'reissue', expiresOn: plusYear(today()) })]);
  });

  test('where the tenant extends, the new certificate runs a year on from the current expiry; a rejection issues nothing', async () => {
    const org = await givenHolder();
    const { api, people, tenantId, expiresOn } = org;
    expect((await api.put('/api/v1/renewal-policy', { allowAutoApprove: false, retrainOnApproval: false, retrainDueDays: 30, certificationRenewal: 'extend' })).status).toBe(200);

    const rejected = (await api.post('/api/v1/renewals', { kind: 'certification', targetKey: 'bls', reason: 'Course missed', requesterId: people.rita.id })).body.renewal.id;
    await decide(api, (await openStep(api, rejected, 1)).id, people.manny.id, 'reject', { reason: 'Attend the refresher first' });
    await waitForRenewal(api, rejected, (r) => r.closedAt !== null, 'closed');
    expect(await h.db.certificate.count({ where: { tenantId, personId: people.rita.id } })).toBe(1);

    const id = (await api.post('/api/v1/renewals', { kind: 'certification', targetKey: 'bls', reason: 'Refresher attended', requesterId: people.rita.id })).body.renewal.id;
    await decide(api, (await openStep(api, id, 1)).id, people.manny.id, 'approve');
    await decide(api, (await openStep(api, id, 2)).id, people.dora.id, 'approve');
    await waitForRenewal(api, id, (r) => r.status === 'approved' && r.closedAt !== null, 'approved');
    const renewed = await h.db.certificate.findFirstOrThrow({ where: { tenantId, personId: people.rita.id, cycle: 2 } });
    expect(renewed.basis).toBe('renewal_extend');
    expect(dayOf(renewed.expiresOn)).toBe(plusYear(expiresOn));
  });

  test('a renewal needs a certificate to renew, an active holder, and one open request per holder', async () => {
    const org = await givenHolder();
    const { api, people } = org;
    const none = await api.post('/api/v1/renewals', { kind: 'certification', targetKey: 'bls', reason: 'Please', requesterId: people.nick.id });
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe('no_certificate');
    const unknown = await api.post('/api/v1/renewals', { kind: 'certification', targetKey: 'cpr', reason: 'Please', requesterId: people.rita.id });
    expect(unknown.status).toBe(422);
    const wrongKind = await api.post('/api/v1/renewals', { kind: 'program', targetKey: 'privacy', reason: 'Please', requesterId: people.rita.id, holderId: people.nick.id });
    expect(wrongKind.status).toBe(400);
    expect(JSON.stringify(wrongKind.body.error)).toContain('holderId');

    expect((await api.post('/api/v1/renewals', { kind: 'certification', targetKey: 'bls', reason: 'Refresher', requesterId: people.rita.id })).status).toBe(202);
    const again = await api.post('/api/v1/renewals', { kind: 'certification', targetKey: 'bls', reason: 'Refresher', requesterId: people.manny.id, holderId: people.rita.id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('renewal_in_progress');
  });
});
