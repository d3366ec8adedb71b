import { dayIn } from '../../src/domain/time-zones';
import { issueLinkToken } from '../../src/services/identity/approval-links';
import { givenCatalog } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { tenantWithApi } from '../catalog/fixtures';
import { givenCertificate, givenCertification, givenHolder } from './fixtures';

/**
 * Reading certificates: everything a person holds (newest first, by certification, with the status
 * each has today and the public page that verifies it), who holds a certification's certificates in
 * force — valid, expiring within N days, or expired — and the certifications in a person's
 * compliance view. "Today" is the tenant's day: a certificate is valid up to the day before its expiry.
 */
describe('reading certificates', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    // Nothing here needs a process: certificates are written straight to the database.
    await h.stopWorker();
  });
  afterAll(async () => {
    await h.close();
  });

  /** The tenant's day `days` from today, in `zone`. */
  const dayFromToday = (days: number, zone = 'UTC') => new Date(Date.parse(`${dayIn(Date.now(), zone)}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

  test("a person's certificates: newest first by certification, each with its status on the tenant's day, verify link and chain", async () => {
    const zone = 'Pacific/Kiritimati'; // UTC+14: its today is often UTC's tomorrow
    const { tenantId, api } = await tenantWithApi(h);
    await h.db.notificationPolicy.create({ data: { tenantId, timeZone: zone } });
    const forklift = await givenCertification(h.db, tenantId, 'forklift', 'Forklift licence');
    const firstAid = await givenCertification(h.db, tenantId, 'first-aid', 'First aid');
    const crane = await givenCertification(h.db, tenantId, 'crane', 'Crane operator');
    const person = await givenHolder(h.db, tenantId, { name: 'Grace Hopper' });
    const today = dayFromToday(0, zone);

    const first = await givenCertificate(h.db, tenantId, { personId: person.id, certificationId: forklift.id, number: 'FL-1', issuedOn: '2022-03-01', expiresOn: '2024-03-01', superseded: true, basis: 'import', pdf: false });
    const second = await givenCertificate(h.db, tenantId, { personId: person.id, certificationId: forklift.id, number: 'FL-2', issuedOn: '2024-02-20', expiresOn: dayFromToday(1, zone), cycle: 2, previousId: first.id, basis: 'recertification' });
    const aid = await givenCertificate(h.db, tenantId, { personId: person.id, certificationId: firstAid.id, number: 'FA-1', issuedOn: '2023-05-05', expiresOn: today });
    const revoked = await givenCertificate(h.db, tenantId, { personId: person.id, certificationId: crane.id, number: 'CR-1', issuedOn: '2024-06-01', expiresOn: dayFromToday(100, zone), revoked: 'Failed the practical re-check' });
    await h.db.certificationStatus.create({ data: { tenantId, personId: person.id, certificationId: forklift.id, state: 'window_open', certificateId: second.id, workflowId: 'w-1' } });
    await h.db.certificationStatus.create({ data: { tenantId, personId: person.id, certificationId: crane.id, state: 'assigned', workflowId: 'w-2' } });
    // Someone else's certificate is not theirs.
    const other = await givenHolder(h.db, tenantId);
    await givenCertificate(h.db, tenantId, { personId: other.id, certificationId: forklift.id, issuedOn: '2024-01-01', expiresOn: '2026-01-01' });

    const response = await api.get(`/api/v1/people/${person.id}/certificates`);
    expect(response.status).toBe(200);
    const line = (c: typeof first, extra: Record<string, unknown>) => ({
      id: c.id,
      number: c.number,
      issuedOn: c.issuedOn.toISOString().slice(0, 10),
      expiresOn: c.expiresOn.toISOString().slice(0, 10),
      cycle: c.cycle,
      basis: c.basis,
      source: 'trainhub',
      verifyUrl: `http://trainhub.test/verify/${c.verificationCode}`,
      pdfUrl: `http://trainhub.test/verify/${c.verificationCode}/certificate.pdf`,
      previousNumber: null,
      supersededAt: null,
      revokedAt: null,
      revokedReason: null,
      ...extra,
    });
    expect(response.body).toEqual({
      person: { id: person.id, externalId: person.externalId, name: 'Grace Hopper', status: 'active' },
      today,
      timeZone: zone,
      certifications: [
        {
          certification: { id: crane.id, key: 'crane', title: 'Crane operator' },
          state: 'assigned',
          currentCertificateId: null,
          certificates: [line(revoked, { status: 'revoked', revokedAt: expect.any(String), revokedReason: 'Failed the practical re-check' })],
        },
        {
          certification: { id: firstAid.id, key: 'first-aid', title: 'First aid' },
          state: null,
          currentCertificateId: null,
          certificates: [line(aid, { status: 'expired' })],
        },
        {
          certification: { id: forklift.id, key: 'forklift', title: 'Forklift licence' },
          state: 'window_open',
          currentCertificateId: second.id,
          certificates: [
            line(second, { status: 'valid', previousNumber: 'FL-1' }),
            line(first, { status: 'superseded', supersededAt: expect.any(String), pdfUrl: null }),
          ],
        },
      ],
    });

    const nobody = await givenHolder(h.db, tenantId);
    expect((await api.get(`/api/v1/people/${nobody.id}/certificates`)).body).toMatchObject({ certifications: [] });
    const stranger = await tenantWithApi(h);
    expect((await stranger.api.get(`/api/v1/people/${person.id}/certificates`)).status).toBe(404);
    const catalogOnly = await tenantWithApi(h, ['catalog:read']);
    expect((await catalogOnly.api.get(`/api/v1/people/${person.id}/certificates`)).status).toBe(403);
  });

  test('holders of certificates in force: valid, expiring within N days, expired; soonest expiry first, page by page', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    const forklift = await givenCertification(h.db, tenantId, 'forklift');
    const crane = await givenCertification(h.db, tenantId, 'crane');
    const holders: Record<string, { id: string; number: string }> = {};
    for (const [name, days] of [['lapsed', -10], ['due-today', 0], ['tomorrow', 1], ['in-a-month', 30], ['in-31-days', 31], ['next-year', 400]] as const) {
      const person = await givenHolder(h.db, tenantId, { name, status: name === 'lapsed' ? 'terminated' : 'active' });
      const certificate = await givenCertificate(h.db, tenantId, { personId: person.id, certificationId: forklift.id, number: `FL-${name}`, issuedOn: '2024-01-01', expiresOn: dayFromToday(days) });
      holders[name] = { id: certificate.id, number: certificate.number };
    }
    // Not in force: superseded or revoked. Not this certification, not this tenant.
    const renewed = await givenHolder(h.db, tenantId, { name: 'renewed' });
    await givenCertificate(h.db, tenantId, { personId: renewed.id, certificationId: forklift.id, issuedOn: '2022-01-01', expiresOn: dayFromToday(5), superseded: true });
    await givenCertificate(h.db, tenantId, { personId: renewed.id, certificationId: forklift.id, issuedOn: '2022-01-01', expiresOn: dayFromToday(6), cycle: 2, revoked: 'fraud' });
    await givenCertificate(h.db, tenantId, { personId: renewed.id, certificationId: crane.id, issuedOn: '2024-01-01', expiresOn: dayFromToday(7) });
    const elsewhere = await tenantWithApi(h);
    const theirForklift = await givenCertification(h.db, elsewhere.tenantId, 'forklift');
    const theirs = await givenHolder(h.db, elsewhere.tenantId);
    await givenCertificate(h.db, elsewhere.tenantId, { personId: theirs.id, certificationId: theirForklift.id, issuedOn: '2024-01-01', expiresOn: dayFromToday(3) });

    const names = async (query: string) => {
      const response = await api.get(`/api/v1/certifications/forklift/holders${query}`);
      expect(response.status).toBe(200);
      return response.body.data.map((row: { person: { name: string } }) => row.person.name);
    };
    expect(await names('')).toEqual(['lapsed', 'due-today', 'tomorrow', 'in-a-month', 'in-31-days', 'next-year']);
    expect(await names('?status=valid')).toEqual(['tomorrow', 'in-a-month', 'in-31-days', 'next-year']);
    expect(await names('?status=expiring')).toEqual(['tomorrow', 'in-a-month']);
    expect(await names('?status=expiring&withinDays=31')).toEqual(['tomorrow', 'in-a-month', 'in-31-days']);
    expect(await names('?status=expiring&withinDays=1')).toEqual(['tomorrow']);
    expect(await names('?status=expired')).toEqual(['lapsed', 'due-today']);
    expect(await names(`?status=expiring`)).toEqual(await names(`?status=expiring&withinDays=30`));

    const page = await api.get('/api/v1/certifications/forklift/holders?status=expiring&withinDays=400');
    expect(page.body).toEqual({
      certification: { id: forklift.id, key: 'forklift', title: 'forklift' },
      today: dayFromToday(0),
      timeZone: 'UTC',
      data: expect.any(Array),
      nextCursor: null,
    });
    const tomorrow = await h.db.certificate.findUniqueOrThrow({ where: { id: holders.tomorrow!.id }, include: { person: true } });
    expect(page.body.data[0]).toEqual({
      person: { id: tomorrow.person.id, externalId: tomorrow.person.externalId, name: 'tomorrow', status: 'active' },
      certificate: {
        id: tomorrow.id,
        number: 'FL-tomorrow',
        status: 'valid',
        issuedOn: '2024-01-01',
        expiresOn: dayFromToday(1),
        cycle: 1,
        basis: 'initial',
        verifyUrl: `http://trainhub.test/verify/${tomorrow.verificationCode}`,
      },
      daysToExpiry: 1,
    });
    expect((await api.get('/api/v1/certifications/forklift/holders?status=expired')).body.data.map((r: { daysToExpiry: number; certificate: { status: string } }) => [r.daysToExpiry, r.certificate.status])).toEqual([
      [-10, 'expired'],
      [0, 'expired'],
    ]);

    // Page by page, (expiresOn, id) keyset: nothing repeated, nothing skipped, also among equal expiry days.
    for (const days of [1, 1, 1]) {
      const person = await givenHolder(h.db, tenantId, { name: `tomorrow-${Math.random()}` });
      await givenCertificate(h.db, tenantId, { personId: person.id, certificationId: forklift.id, issuedOn: '2024-01-01', expiresOn: dayFromToday(days) });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response: { status: number; body: { data: { certificate: { id: string } }[]; nextCursor: string | null } } = await api.get(
        `/api/v1/certifications/${forklift.id}/holders?status=valid&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...response.body.data.map((row) => row.certificate.id));
      cursor = response.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(4);
    const valid = await h.db.certificate.findMany({
      where: { tenantId, certificationId: forklift.id, supersededAt: null, revokedAt: null, expiresOn: { gt: new Date(`${dayFromToday(0)}T00:00:00Z`) } },
      orderBy: [{ expiresOn: 'asc' }, { id: 'asc' }],
    });
    expect(seen).toEqual(valid.map((c) => c.id));

    expect((await api.get('/api/v1/certifications/forklift/holders?status=lapsing')).status).toBe(400);
    expect((await api.get('/api/v1/certifications/forklift/holders?withinDays=0')).status).toBe(400);
    expect((await api.get('/api/v1/certifications/forklift/holders?cursor=bm9wZQ')).status).toBe(400);
    expect((await api.get('/api/v1/certifications/sailing/holders')).status).toBe(404);
    expect((await elsewhere.api.get(`/api/v1/certifications/${forklift.id}/holders`)).status).toBe(404);
    expect((await (await tenantWithApi(h, ['catalog:read'])).api.get('/api/v1/certifications/forklift/holders')).status).toBe(403);
  });

  test('the compliance view lists each required certification with its certificate, expiry flags and the roles that require it', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    await givenCatalog(h.db, tenantId, { roles: { driver: [], rigger: [] }, programs: {} });
    const roles = Object.fromEntries((await h.db.role.findMany({ where: { tenantId } })).map((r) => [r.key, r.id]));
    const certifications = {
      forklift: await givenCertification(h.db, tenantId, 'forklift', 'Forklift licence'),
      firstAid: await givenCertification(h.db, tenantId, 'first-aid', 'First aid'),
      crane: await givenCertification(h.db, tenantId, 'crane', 'Crane operator'),
      sailing: await givenCertification(h.db, tenantId, 'sailing', 'Sailing'),
      hazmat: await givenCertification(h.db, tenantId, 'hazmat', 'Hazardous goods'),
    };
    const require = (role: string, certificationId: string, filters: { department?: string; location?: string } = {}) =>
      h.db.certificationRequirement.create({ data: { tenantId, roleId: roles[role]!, certificationId, ...filters } });
    const forkliftForDrivers = await require('driver', certifications.forklift.id);
    const forkliftForRiggers = await require('rigger', certifications.forklift.id, { department: 'Logistics' });
    await require('driver', certifications.firstAid.id);
    await require('rigger', certifications.crane.id);
    await require('driver', certifications.sailing.id);
    await require('driver', certifications.hazmat.id, { location: 'Rotterdam' }); // not where the person works

    const person = await givenHolder(h.db, tenantId, { roles: ['driver', 'rigger'], department: 'Logistics', location: 'Hamburg' });
    const forklift = await givenCertificate(h.db, tenantId, { personId: person.id, certificationId: certifications.forklift.id, number: 'FL-9', issuedOn: '2024-01-01', expiresOn: dayFromToday(12) });
    await givenCertificate(h.db, tenantId, { personId: person.id, certificationId: certifications.firstAid.id, number: 'FA-9', issuedOn: '2023-01-01', expiresOn: dayFromToday(0) });
    await givenCertificate(h.db, tenantId, { personId: person.id, certificationId: certifications.crane.id, number: 'CR-9', issuedOn: '2024-01-01', expiresOn: dayFromToday(90), revoked: 'Lapsed medical' });
    await givenCertificate(h.db, tenantId, { personId: person.id, certificationId: certifications.sailing.id, number: 'SA-9', issuedOn: '2024-01-01', expiresOn: dayFromToday(31) });
    await h.db.certificationStatus.create({ data: { tenantId, personId: person.id, certificationId: certifications.forklift.id, state: 'window_open', certificateId: forklift.id, workflowId: 'w' } });

    const report = await api.get(`/api/v1/people/${person.id}/compliance`);
    expect(report.status).toBe(200);
    expect(report.body.state).toBe('overdue'); // first aid has expired
    expect(report.body.certifications).toEqual([
      { certification: { key: 'crane', title: 'Crane operator' }, state: null, certificateNumber: null, expiresOn: null, expired: false, expiringWithinDays: null, missing: true, why: [expect.objectContaining({ role: 'rigger' })] },
      { certification: { key: 'first-aid', title: 'First aid' }, state: null, certificateNumber: 'FA-9', expiresOn: dayFromToday(0), expired: true, expiringWithinDays: null, missing: false, why: [expect.objectContaining({ role: 'driver' })] },
      {
        certification: { key: 'forklift', title: 'Forklift licence' },
        state: 'window_open',
        certificateNumber: 'FL-9',
        expiresOn: dayFromToday(12),
        expired: false,
        expiringWithinDays: 12,
        missing: false,
        why: [
          { requirementId: forkliftForDrivers.id, role: 'driver', department: null, location: null, since: expect.any(String) },
          { requirementId: forkliftForRiggers.id, role: 'rigger', department: 'Logistics', location: null, since: expect.any(String) },
        ],
      },
      { certification: { key: 'sailing', title: 'Sailing' }, state: null, certificateNumber: 'SA-9', expiresOn: dayFromToday(31), expired: false, expiringWithinDays: null, missing: false, why: [expect.objectContaining({ role: 'driver' })] },
    ]);

    // Renewed first aid: nothing has expired, forklift expires within 30 days.
    await h.db.certificate.updateMany({ where: { tenantId, number: 'FA-9' }, data: { expiresOn: new Date(`${dayFromToday(365)}T00:00:00Z`) } });
    expect((await api.get(`/api/v1/people/${person.id}/compliance`)).body.state).toBe('due_soon');
    // Someone who left owes no certification.
    await h.db.person.update({ where: { id: person.id }, data: { status: 'terminated' } });
    expect((await api.get(`/api/v1/people/${person.id}/compliance`)).body.certifications).toEqual([]);
  });

  test("the learner's page shows the certificates in force, each with its verify page (and PDF when there is one)", async () => {
    const { tenantId } = await tenantWithApi(h);
    const forklift = await givenCertification(h.db, tenantId, 'forklift', 'Forklift licence');
    const firstAid = await givenCertification(h.db, tenantId, 'first-aid', 'First aid');
    const person = await givenHolder(h.db, tenantId);
    const old = await givenCertificate(h.db, tenantId, { personId: person.id, certificationId: forklift.id, number: 'FL-OLD', issuedOn: '2020-01-01', expiresOn: '2022-01-01', superseded: true });
    const current = await givenCertificate(h.db, tenantId, { personId: person.id, certificationId: forklift.id, number: 'FL-NEW', issuedOn: '2022-01-01', expiresOn: dayFromToday(40), cycle: 2, previousId: old.id });
    const imported = await givenCertificate(h.db, tenantId, { personId: person.id, certificationId: firstAid.id, number: 'FA-OLD', issuedOn: '2020-01-01', expiresOn: '2022-01-01', pdf: false });
    const token = await issueLinkToken(h.db, h.approvalLinks, { tenantId, key: `learner:${person.id}`, purpose: 'learner', personId: person.id });

    const response = await fetch(`${h.baseUrl}/learner?token=${token}`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('Your certificates');
    expect(page).toContain(`No. FL-NEW · valid, expires ${dayFromToday(40)}`);
    expect(page).toContain(`href="/verify/${current.verificationCode}"`);
    expect(page).toContain(`href="/verify/${current.verificationCode}/certificate.pdf"`);
    expect(page).toContain('No. FA-OLD · expired on 2022-01-01');
    expect(page).toContain(`href="/verify/${imported.verificationCode}"`);
    expect(page).not.toContain(`/verify/${imported.verificationCode}/certificate.pdf`);
    expect(page).not.toContain('FL-OLD');
  });
});
