import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/client';
import type { CaughtMessage, MailCatcher } from '../../src/mail/catcher';
import { createTenant, givenCatalog } from '../support/builders';
import { apiClient } from '../support/http';

/**
 * An organisation to renew training in: Rita requests renewals; Manny is her manager, Dora his;
 * Cora and Colin hold the compliance-officer role; Del is a deputy who takes over escalations;
 * Nick is a nurse who completed the privacy program. Each call makes a tenant of its own.
 */
export async function givenOrganisation(db: Db, baseUrl: string) {
  const { tenantId, apiKey } = await createTenant(db);
  await givenCatalog(db, tenantId, {
    programs: { privacy: ['hipaa-basics'], 'clinical-safety': ['infection-control', 'hand-hygiene'] },
    roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }], 'compliance-officer': [] },
  });
  const suffix = randomUUID().slice(0, 8);
  const person = async (key: string, name: string, managerId: string | null = null) =>
    db.person.create({
      data: { tenantId, source: 'workday', externalId: `${key}-${suffix}`, email: `${key}-${suffix}@example.com`, name, managerId, hireDate: new Date('2025-01-06') },
    });
  const dora = await person('dora', 'Dora Director');
  const manny = await person('manny', 'Manny Manager', dora.id);
  const rita = await person('rita', 'Rita Requester', manny.id);
  const cora = await person('cora', 'Cora Compliance', dora.id);
  const colin = await person('colin', 'Colin Compliance', dora.id);
  const del = await person('del', 'Del Deputy', dora.id);
  const nick = await person('nick', 'Nick Nurse', manny.id);
  const complianceRole = await db.role.findFirstOrThrow({ where: { tenantId, key: 'compliance-officer' } });
  await db.personRole.createMany({ data: [cora, colin].map((p) => ({ tenantId, personId: p.id, roleId: complianceRole.id })) });
  return { tenantId, apiKey, api: apiClient(baseUrl, apiKey), people: { dora, manny, rita, cora, colin, del, nick } };
}

export type Organisation = Awaited<ReturnType<typeof givenOrganisation>>;

/** Manager, then manager's manager, then any compliance officer: three days each, reminded a day before. */
export function threeLevelChain(overrides: Partial<Record<'manager' | 'director' | 'compliance', Record<string, unknown>>> = {}) {
  return {
    name: 'Program renewals',
    levels: [
      { name: 'Line manager', approver: 'manager', deadline: 'P3D', reminders: ['P1D'], onTimeout: 'next_manager', ...overrides.manager },
      { name: 'Director', approver: 'managers_manager', deadline: 'P3D', reminders: ['P1D'], onTimeout: 'auto_reject', ...overrides.director },
      { name: 'Compliance', approver: 'role', roleKey: 'compliance-officer', deadline: 'P5D', reminders: ['P2D', 'PT4H'], onTimeout: 'auto_reject', ...overrides.compliance },
    ],
  };
}

export function renewalRequest(requesterId: string, overrides: Record<string, unknown> = {}) {
  return {
    kind: 'program',
    targetKey: 'privacy',
    version: '2027',
    reason: 'Yearly compliance refresh: HIPAA guidance changed',
    notes: 'New module on patient portals',
    requesterId,
    ...overrides,
  };
}

/** Polls the request until `expected` holds (the process works asynchronously after a POST). */
export async function waitForRenewal(api: ReturnType<typeof apiClient>, id: string, expected: (renewal: any) => boolean, what = 'the expected state') {
  let last: any;
  for (let i = 0; i < 150; i++) {
    const response = await api.get(`/api/v1/renewals/${id}`);
    last = response.body;
    if (response.status === 200 && expected(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`renewal ${id} never reached ${what}; last seen ${JSON.stringify(last, null, 2)}`);
}

/** The request's open step at `level`, once it is open. */
export async function openStep(api: ReturnType<typeof apiClient>, id: string, level: number, attempt = 1) {
  const renewal = await waitForRenewal(
    api,
    id,
    (r) => r.steps.some((s: any) => s.level === level && s.attempt === attempt && s.status === 'pending'),
    `an open step at level ${level} (attempt ${attempt})`,
  );
  return renewal.steps.find((s: any) => s.level === level && s.attempt === attempt && s.status === 'pending');
}

export function decide(api: ReturnType<typeof apiClient>, stepId: string, actorPersonId: string, decision: string, extra: Record<string, unknown> = {}) {
  return api.post(`/api/v1/approvals/${stepId}/decision`, { actorPersonId, decision, ...extra });
}

/** Mail to this address whose subject starts with `subject`. */
export function mailTo(mail: MailCatcher, address: string, subject = ''): CaughtMessage[] {
  return mail.messages.filter((m) => m.envelopeTo.includes(address) && m.subject.startsWith(subject));
}

/** The link in a message that starts with `prefix` (e.g. "Approve: "), pointed at the test server. */
export function linkIn(message: CaughtMessage, prefix: string, baseUrl: string): string {
  const line = message.text.split('\n').find((l) => l.startsWith(prefix));
  if (!line) throw new Error(`no "${prefix}" line in:\n${message.text}`);
  return line.slice(prefix.length).trim().replace('http://trainhub.test', baseUrl);
}
