import { completionReport, createTenant, daysFromToday, givenCatalog, hireEvent } from '../support/builders';
import { documentEvent, givenDocument } from '../support/documents';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { eventually } from '../support/scorm-player';

/**
 * When a document system approves a version, trainhub works out in one step who in the affected
 * roles lacks training on it, assigns it, tells each of them once with everything they owe, and
 * gives each manager a digest; a repeated event, a minor change, earlier versions, transfers into
 * an affected role, authors and completions all come out as a quality system expects.
 */
describe('a document version approved', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  /** A lab with two technicians, a chemist (whose role the SOP does not touch) and their manager. */
  const given = async (training: Parameters<typeof givenDocument>[2]['training'] = { kind: 'acknowledgement' }) => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: { 'gmp-basics': ['sample-handling'] }, roles: { technician: [], chemist: [], supervisor: [] } });
    const hire = async (role: string) => {
      const event = hireEvent({ roles: [role] });
      const { personId } = (await api.post('/api/v1/hr/events', event)).body;
      return { id: personId as string, email: event.person.email, externalId: event.person.externalId };
    };
    const manager = await hire('supervisor');
    const [tech1, tech2, chemist] = [await hire('technician'), await hire('technician'), await hire('chemist')];
    await h.db.person.updateMany({ where: { id: { in: [tech1.id, tech2.id, chemist.id] } }, data: { managerId: manager.id } });
    const doc = await givenDocument(h.db, tenantId, { roles: ['technician'], training });
    const trainings = async (versionId: string) =>
      (await h.db.documentTraining.findMany({ where: { versionId }, orderBy: { personId: 'asc' } })).map((t) => ({ personId: t.personId, status: t.status }));
    const mailTo = (email: string) => h.mail.messages.filter((m) => m.envelopeTo.includes(email) && m.subject.includes(doc.document.title));
    return { tenantId, api, manager, tech1, tech2, chemist, doc, trainings, mailTo };
  };

  test('assigns exactly the people in affected roles, tells each once with all they owe, and their manager in a digest; the same event again changes nothing', async () => {
    const lab = await given();
    const v1 = await lab.doc.draft('1.0', daysFromToday(14));
    const preview = (await lab.api.get(`/api/v1/documents/${lab.doc.document.key}/versions/1.0/impact`)).body;
    expect(preview.count).toBe(2);
    expect(preview.data.map((r: { role: string; documentType: string; training: { kind: string } }) => [r.role, r.documentType, r.training.kind])).toEqual([
      ['technician', `type-${lab.doc.document.key}`, 'acknowledgement'],
      ['technician', `type-${lab.doc.document.key}`, 'acknowledgement'],
    ]);

    const event = documentEvent('approved', lab.doc.document.key, '1.0');
    const first = await lab.api.post('/api/v1/documents/events', event);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ duplicate: false, status: 'approved', impact: 'retraining', workflowId: `docgap:${lab.tenantId}:${lab.doc.document.id}:1.0` });
    const told = await h.mail.waitFor((m) => m.envelopeTo.includes(lab.tech2.email) && m.subject.includes('training required'));
    expect(told.text).toContain(`${lab.doc.document.title}, version 1.0 — read and acknowledge it, due ${daysFromToday(14)}`);
    expect(told.text).toMatch(/\/documents\/acknowledge\?token=.+&version=/);
    const digest = await h.mail.waitFor((m) => m.envelopeTo.includes(lab.manager.email) && m.subject.includes('2 of your people'));
    expect(digest.text.match(/^- /gm)).toHaveLength(2);
    expect((await lab.trainings(v1.id)).map((t) => t.status)).toEqual(['open', 'open']);
    expect((await lab.trainings(v1.id)).map((t) => t.personId).sort()).toEqual([lab.tech1.id, lab.tech2.id].sort());

    // The person's compliance view and learner page show it, and why.
    const compliance = (await lab.api.get(`/api/v1/people/${lab.tech2.id}/compliance`)).body;
    expect(compliance.documents).toEqual([
      { document: lab.doc.document.key, title: lab.doc.document.title, version: '1.0', versionId: v1.id, status: 'open', dueDate: daysFromToday(14), completedAt: null, training: 'acknowledgement', role: 'technician', documentType: `type-${lab.doc.document.key}` },
    ]);
    const learnerLink = told.text.split('\n').find((l) => l.startsWith('All your training'))!.split(': ')[1]!.trim().replace('http://trainhub.test', h.baseUrl);
    const learnerPage = await (await fetch(learnerLink)).text();
    expect(learnerPage).toContain('Controlled documents');
    expect(learnerPage).toMatch(new RegExp(`href="/documents/acknowledge\\?token=[^"]+&amp;version=${v1.id}"`));

    const again = await lab.api.post('/api/v1/documents/events', event);
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect((await lab.api.post('/api/v1/documents/events', { ...event, type: 'withdrawn' })).status).toBe(409);
    await eventually(async () => h.db.documentTraining.count({ where: { versionId: v1.id, notifiedAt: null } }), (n) => n === 0, 'everyone told');
    expect(lab.mailTo(lab.tech1.email)).toHaveLength(1);
    expect(lab.mailTo(lab.chemist.email)).toHaveLength(0);
  });

  test('a minor change assigns nothing', async () => {
    const lab = await given();
    const v1 = await lab.doc.draft('1.1', daysFromToday(7));
    const approved = await lab.api.post('/api/v1/documents/events', documentEvent('approved', lab.doc.document.key, '1.1', { impact: 'minor' }));
    expect(approved.body).toMatchObject({ status: 'approved', impact: 'minor' });
    expect((await lab.api.get(`/api/v1/documents/${lab.doc.document.key}/versions/1.1/impact`)).body.count).toBe(0);
    const workflow = h.temporal.workflow.getHandle(approved.body.workflowId);
    expect(await eventually(() => workflow.describe().then((d) => d.status.name).catch(() => 'NOT_FOUND'), (s) => s === 'COMPLETED', 'the process closing')).toBe('COMPLETED');
    expect(await lab.trainings(v1.id)).toEqual([]);
  });

  test('a new version: open training on the old one is obsolete and reissued, those who finished the old one get the new one, authors are credited', async () => {
    const lab = await given({ kind: 'course', course: 'sample-handling' });
    const v1 = await lab.doc.draft('1', daysFromToday(5));
    await lab.api.post('/api/v1/documents/events', documentEvent('approved', lab.doc.document.key, '1'));
    await eventually(() => lab.trainings(v1.id), (t) => t.length === 2, 'version 1 assigned');
    // Technician 1 takes the course: their version-1 training is done; technician 2 is still mid-way.
    await lab.api.post('/api/v1/completions', completionReport(lab.tech1.id, 'sample-handling'));
    expect((await lab.trainings(v1.id)).find((t) => t.personId === lab.tech1.id)!.status).toBe('completed');

    const v2 = await lab.doc.draft('2', daysFromToday(20), [lab.tech2.id]);
    await lab.api.post('/api/v1/documents/events', documentEvent('approved', lab.doc.document.key, '2'));
    await eventually(() => lab.trainings(v2.id), (t) => t.length === 2, 'version 2 assigned');
    expect(Object.fromEntries((await lab.trainings(v2.id)).map((t) => [t.personId, t.status]))).toEqual({ [lab.tech1.id]: 'open', [lab.tech2.id]: 'credited' });
    expect(Object.fromEntries((await lab.trainings(v1.id)).map((t) => [t.personId, t.status]))).toEqual({ [lab.tech1.id]: 'completed', [lab.tech2.id]: 'obsolete' });
    expect((await h.db.documentVersion.findUniqueOrThrow({ where: { id: v1.id } })).status).toBe('superseded');

    // Taking the course again after version 2's approval completes it.
    await lab.api.post('/api/v1/completions', completionReport(lab.tech1.id, 'sample-handling'));
    expect((await lab.trainings(v2.id)).find((t) => t.personId === lab.tech1.id)!.status).toBe('completed');
  });

  test('a transfer into an affected role after approval picks the document up, and the person is told', async () => {
    const lab = await given();
    const v1 = await lab.doc.draft('3.0', daysFromToday(10));
    await lab.api.post('/api/v1/documents/events', documentEvent('approved', lab.doc.document.key, '3.0'));
    await eventually(() => lab.trainings(v1.id), (t) => t.length === 2, 'assigned');
    const transfer = await lab.api.post('/api/v1/hr/events', { type: 'transfer', eventId: `evt-transfer-${lab.chemist.id}`, source: 'workday', person: { externalId: lab.chemist.externalId, roles: ['technician'] } });
    expect(transfer.status).toBeLessThan(300);
    await eventually(() => lab.trainings(v1.id), (t) => t.some((x) => x.personId === lab.chemist.id && x.status === 'open'), 'the transferred person assigned');
    const told = await h.mail.waitFor((m) => m.envelopeTo.includes(lab.chemist.email) && m.subject.includes('training required'));
    expect(told.subject).toContain(lab.doc.document.title);
  });

  test('a withdrawn version closes its open training; an event for an unknown version is 422, one with dates out of bounds 400', async () => {
    const lab = await given();
    const v1 = await lab.doc.draft('9', daysFromToday(10));
    await lab.api.post('/api/v1/documents/events', documentEvent('approved', lab.doc.document.key, '9'));
    await eventually(() => lab.trainings(v1.id), (t) => t.length === 2, 'assigned');
    expect((await lab.api.post('/api/v1/documents/events', documentEvent('withdrawn', lab.doc.document.key, '9'))).body.status).toBe('withdrawn');
    expect((await lab.trainings(v1.id)).map((t) => t.status)).toEqual(['obsolete', 'obsolete']);
    expect((await lab.api.post('/api/v1/documents/events', documentEvent('approved', lab.doc.document.key, '404'))).status).toBe(422);
    // Dates a calendar keeps: nothing a process computes from them can leave it.
    expect((await lab.api.post('/api/v1/documents/events', documentEvent('effective', lab.doc.document.key, '9', { effectiveDate: '9999-01-01' }))).status).toBe(400);
    expect((await lab.api.post('/api/v1/documents/events', documentEvent('approved', lab.doc.document.key, '9', { occurredAt: '2999-01-01T00:00:00Z' }))).status).toBe(400);
  });
});
