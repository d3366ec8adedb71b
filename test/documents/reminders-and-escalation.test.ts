import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalTestServerPath } from '../../src/temporal/binaries';
import { documentGapStatusQuery, type DocumentGapStatus } from '../../src/workflows/document-gap';
import { localTime } from '../../src/domain/time-zones';
import { createTenant, daysFromToday, givenCatalog, hireEvent } from '../support/builders';
import { documentEvent, givenDocument } from '../support/documents';
import { installTestRuntime, startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { eventually } from '../support/scorm-player';

/**
 * Simulated weeks on the time-skipping server: a document version approved two weeks before it is
 * effective reminds those still untrained three days before it is due (after re-checking who has
 * acknowledged meanwhile), and after the due date escalates those still open to their manager and the
 * compliance officer — each once, at 09:00 on its day in the tenant's time zone (UTC unless it says
 * otherwise).
 */
describe('a document version’s reminders and escalation', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  beforeEach(async () => {
    installTestRuntime();
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
    h = await startHarness({ temporal: { client: env.client, nativeConnection: env.nativeConnection } });
  });
  afterEach(async () => {
    await h?.close();
    await env?.teardown();
  });

  const nineAm = (days: number) => Date.parse(`${daysFromToday(days)}T09:00:00Z`);
  async function sleepUntil(epochMs: number) {
    const now = await env.currentTimeMs();
    if (epochMs > now) await env.sleep(epochMs - now);
  }

  test('re-check and reminder before the due date, escalation after it, each once', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: {}, roles: { technician: [], supervisor: [] } });
    await h.db.notificationPolicy.create({ data: { tenantId, complianceOfficerEmail: 'compliance@example.com' } });
    await api.post('/api/v1/hr/events', hireEvent({ externalId: 'M-1', roles: ['supervisor'], email: 'lead@example.com' }));
    const hire = async (id: string, email: string) => {
      const event = hireEvent({ externalId: id, roles: ['technician'], email });
      return (await api.post('/api/v1/hr/events', { ...event, person: { ...event.person, managerExternalId: 'M-1' } })).body.personId as string;
    };
    const diligent = await hire('T-1', 'diligent@example.com');
    await hire('T-2', 'late@example.com');
    const doc = await givenDocument(h.db, tenantId, { roles: ['technician'], training: { kind: 'acknowledgement' } });
    const version = await doc.draft('4.0', daysFromToday(14));
    const { workflowId } = (await api.post('/api/v1/documents/events', documentEvent('approved', doc.document.key, '4.0'))).body;
    const status = () => h.temporal.workflow.getHandle(workflowId).query(documentGapStatusQuery).catch(() => null);
    await eventually(status, (s: DocumentGapStatus | null) => s?.next?.kind === 'reminder', 'the process waiting for the reminder');
    expect((await status())!.next).toEqual({ kind: 'reminder', at: new Date(nineAm(11)).toISOString() });
    expect(h.mail.messages.filter((m) => m.subject.includes('training required')).flatMap((m) => m.envelopeTo).sort()).toEqual(['diligent@example.com', 'late@example.com']);

    // One technician acknowledges (the signature itself is another story): the re-check sees it.
    await h.db.documentAcknowledgement.create({ data: { tenantId, versionId: version.id, personId: diligent, contentHash: version.contentHash, meaning: 'read and understood', linkId: version.id } });
    await sleepUntil(nineAm(11) + 60_000);
    const reminder = await h.mail.waitFor((m) => m.subject.startsWith('Reminder: document training'));
    expect(reminder.envelopeTo).toEqual(['late@example.com']);
    expect((await h.db.documentTraining.findFirstOrThrow({ where: { versionId: version.id, personId: diligent } })).status).toBe('completed');
    await eventually(status, (s: DocumentGapStatus | null) => s?.next?.kind === 'escalation', 'the process waiting for the escalation');
    expect((await status())!.next!.at).toBe(new Date(nineAm(15)).toISOString());

    await sleepUntil(nineAm(15) + 60_000);
    const toManager = await h.mail.waitFor((m) => m.envelopeTo.includes('lead@example.com') && m.subject.startsWith('Overdue'));
    expect(toManager.text).toContain(`was due on ${daysFromToday(14)} and is still open for:\n\n- Ada Lovelace`);
    await h.mail.waitFor((m) => m.envelopeTo.includes('compliance@example.com') && m.subject.startsWith('Overdue'));
    await eventually(status, (s: DocumentGapStatus | null) => s?.phase === 'done', 'the process done');
    await sleepUntil(nineAm(40));
    const overdue = h.mail.messages.filter((m) => m.subject.startsWith('Overdue') || m.subject.startsWith('Reminder'));
    expect(overdue.map((m) => m.envelopeTo[0]).sort()).toEqual(['compliance@example.com', 'late@example.com', 'lead@example.com']);
  });

  test('a tenant in Auckland is reminded at 09:00 Auckland time, which is the evening before in UTC, and escalated the same way', async () => {
    const AUCKLAND = 'Pacific/Auckland';
    const nineAmInAuckland = (days: number) => localTime(daysFromToday(days), 9, AUCKLAND);
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: {}, roles: { technician: [] } });
    await h.db.notificationPolicy.create({ data: { tenantId, timeZone: AUCKLAND } });
    await api.post('/api/v1/hr/events', hireEvent({ externalId: 'T-1', roles: ['technician'], email: 'tech@example.com' }));
    const doc = await givenDocument(h.db, tenantId, { roles: ['technician'], training: { kind: 'acknowledgement' } });
    await doc.draft('1.0', daysFromToday(14));
    const { workflowId } = (await api.post('/api/v1/documents/events', documentEvent('approved', doc.document.key, '1.0'))).body;
    const status = () => h.temporal.workflow.getHandle(workflowId).query(documentGapStatusQuery).catch(() => null);

    await eventually(status, (s: DocumentGapStatus | null) => s?.next?.kind === 'reminder', 'the process waiting for the reminder');
    const remindAt = nineAmInAuckland(11);
    expect((await status())!.next).toEqual({ kind: 'reminder', at: new Date(remindAt).toISOString() });
    // 09:00 in Auckland is 20:00 or 21:00 UTC the day before.
    expect(new Date(remindAt).toISOString().slice(0, 10)).toBe(daysFromToday(10));
    const reminders = () => h.mail.messages.filter((m) => m.subject.startsWith('Reminder: document training'));
    await sleepUntil(remindAt - 60_000);
    expect(reminders()).toEqual([]);
    await sleepUntil(remindAt + 60_000);
    expect((await h.mail.waitFor((m) => m.subject.startsWith('Reminder: document training'))).envelopeTo).toEqual(['tech@example.com']);

    await eventually(status, (s: DocumentGapStatus | null) => s?.next?.kind === 'escalation', 'the process waiting for the escalation');
    expect((await status())!.next!.at).toBe(new Date(nineAmInAuckland(15)).toISOString());
  });
});
