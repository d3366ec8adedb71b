import { startHarness, type Harness } from '../support/harness';
import { tenantWithApi } from './fixtures';

/** Each tenant sets how it reminds people and escalates overdue training; until it does, the defaults apply. */
describe('the notification policy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const policy = {
    reminderDaysBeforeDue: [1, 14, 3],
    overdueNotice: false,
    managerEscalationDaysOverdue: 5,
    complianceEscalationDaysAfter: 10,
    complianceOfficerEmail: 'compliance@example.com',
  };

  test('a tenant that never set a policy gets the defaults: reminders 7 and 1 days before, notice, manager after 3, officer 7 later, at 09:00 UTC', async () => {
    const { api } = await tenantWithApi(h);
    expect(await api.get('/api/v1/notification-policy')).toEqual({
      status: 200,
      body: {
        reminderDaysBeforeDue: [7, 1],
        overdueNotice: true,
        managerEscalationDaysOverdue: 3,
        complianceEscalationDaysAfter: 7,
        complianceOfficerEmail: null,
        extendDueDatesForLeave: false,
        timeZone: 'UTC',
        updatedAt: null,
      },
    });
  });

  test("the defaults the API answers are the database's own defaults for a new policy", async () => {
    const { tenantId, api } = await tenantWithApi(h);
    const answered = (await api.get('/api/v1/notification-policy')).body;
    const row = await h.db.notificationPolicy.create({ data: { tenantId } });
    const { updatedAt: _answeredAt, ...defaults } = answered;
    expect({
      reminderDaysBeforeDue: row.reminderDaysBeforeDue,
      overdueNotice: row.overdueNotice,
      managerEscalationDaysOverdue: row.managerEscalationDaysOverdue,
      complianceEscalationDaysAfter: row.complianceEscalationDaysAfter,
      complianceOfficerEmail: row.complianceOfficerEmail,
      extendDueDatesForLeave: row.extendDueDatesForLeave,
      timeZone: row.timeZone,
    }).toEqual(defaults);
  });

  test('a policy set with PUT is what GET answers from then on, reminders largest first, and the change is audited', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    const defaults = (await api.get('/api/v1/notification-policy')).body;

    const saved = await api.put('/api/v1/notification-policy', policy);

    expect(saved.status).toBe(200);
    // Left out, extendDueDatesForLeave and timeZone take their defaults (false, UTC).
    expect(saved.body).toEqual({ ...policy, reminderDaysBeforeDue: [14, 3, 1], extendDueDatesForLeave: false, timeZone: 'UTC', updatedAt: expect.any(String) });
    expect(await api.get('/api/v1/notification-policy')).toEqual({ status: 200, body: saved.body });
    const stored = await h.db.notificationPolicy.findUniqueOrThrow({ where: { tenantId } });
    expect(stored.reminderDaysBeforeDue).toEqual([14, 3, 1]);

    const noReminders = await api.put('/api/v1/notification-policy', { ...policy, reminderDaysBeforeDue: [], complianceOfficerEmail: null });
    expect(noReminders.body).toMatchObject({ reminderDaysBeforeDue: [], complianceOfficerEmail: null });

    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityType: 'notification_policy' }, orderBy: { at: 'asc' } });
    expect(audit.map((event) => [event.action, event.entityId, event.actorType, event.data])).toEqual([
      ['notification_policy.updated', tenantId, 'api_client', { before: defaults, after: saved.body }],
      ['notification_policy.updated', tenantId, 'api_client', { before: saved.body, after: noReminders.body }],
    ]);

    await api.put('/api/v1/notification-policy', { ...policy, reminderDaysBeforeDue: [], complianceOfficerEmail: null });
    expect(await h.db.auditEvent.count({ where: { tenantId, entityType: 'notification_policy' } })).toBe(2);
  });

  test('the tenant’s time zone (an IANA name) is set with the policy, read back, and audited; notices go out at 09:00 there', async () => {
    const { tenantId, api } = await tenantWithApi(h);

    const berlin = await api.put('/api/v1/notification-policy', { ...policy, timeZone: 'Europe/Berlin' });
    expect(berlin.status).toBe(200);
    expect(berlin.body).toMatchObject({ timeZone: 'Europe/Berlin' });
    expect((await api.get('/api/v1/notification-policy')).body).toEqual(berlin.body);
    expect((await h.db.notificationPolicy.findUniqueOrThrow({ where: { tenantId } })).timeZone).toBe('Europe/Berlin');

    const kolkata = await api.put('/api/v1/notification-policy', { ...policy, timeZone: 'Asia/Kolkata' });
    expect(kolkata.body).toEqual({ ...berlin.body, timeZone: 'Asia/Kolkata', updatedAt: expect.any(String) });
    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityType: 'notification_policy' }, orderBy: { at: 'asc' } });
    expect(audit.map((event) => event.data)).toEqual([
      { before: expect.objectContaining({ timeZone: 'UTC', updatedAt: null }), after: berlin.body },
      { before: berlin.body, after: kolkata.body },
    ]);

    // Setting the same zone again changes nothing and records nothing.
    await api.put('/api/v1/notification-policy', { ...policy, timeZone: 'Asia/Kolkata' });
    expect(await h.db.auditEvent.count({ where: { tenantId, entityType: 'notification_policy' } })).toBe(2);

    const { body: openapi } = await api.get('/api/v1/openapi.json');
    expect(openapi.components.schemas.NotificationPolicyInput.properties.timeZone).toMatchObject({
      type: 'string',
      default: 'UTC',
      description: expect.stringContaining('go out at 09:00 in this zone'),
    });
  });

  test('a time zone that is not an IANA name is 400 naming timeZone, and changes nothing', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    await api.put('/api/v1/notification-policy', { ...policy, timeZone: 'America/Los_Angeles' });
    const before = await h.db.notificationPolicy.findUniqueOrThrow({ where: { tenantId } });

    for (const timeZone of ['Mars/Olympus', 'CEST+1', '', 42]) {
      const response = await api.put('/api/v1/notification-policy', { ...policy, timeZone });
      expect(response.status).toBe(400);
      expect(response.body.error.details).toEqual([{ field: 'body.timeZone', message: expect.any(String) }]);
    }
    const unknown = await api.put('/api/v1/notification-policy', { ...policy, timeZone: 'Mars/Olympus' });
    expect(unknown.body.error.details[0].message).toBe('Must be an IANA time zone name, e.g. Europe/Berlin or America/New_York');
    expect(await h.db.notificationPolicy.findUniqueOrThrow({ where: { tenantId } })).toEqual(before);
    expect(await h.db.auditEvent.count({ where: { tenantId, entityType: 'notification_policy' } })).toBe(1);
  });

  test('zero or repeated reminder days, negative escalations, a bad e-mail or a missing field are 400 naming each field', async () => {
    const { tenantId, api } = await tenantWithApi(h);

    const response = await api.put('/api/v1/notification-policy', {
      reminderDaysBeforeDue: [7, 0],
      overdueNotice: 'yes',
      managerEscalationDaysOverdue: -1,
      complianceOfficerEmail: 'compliance at example',
    });
    const repeated = await api.put('/api/v1/notification-policy', { ...policy, reminderDaysBeforeDue: [7, 7] });

    expect(response.status).toBe(400);
    expect(response.body.error.details.map((problem: { field: string }) => problem.field).sort()).toEqual([
      'body.complianceEscalationDaysAfter',
      'body.complianceOfficerEmail',
      'body.managerEscalationDaysOverdue',
      'body.overdueNotice',
      'body.reminderDaysBeforeDue.1',
    ]);
    expect(response.body.error.details).toContainEqual({ field: 'body.reminderDaysBeforeDue.1', message: 'Must be a positive number of days' });
    expect(repeated.body.error.details).toEqual([{ field: 'body.reminderDaysBeforeDue', message: 'Each offset may appear only once' }]);
    expect(await h.db.notificationPolicy.count({ where: { tenantId } })).toBe(0);
    expect(await h.db.auditEvent.count({ where: { tenantId } })).toBe(0);
  });
});
