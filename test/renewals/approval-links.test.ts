import { loadConfig } from '../../src/config';
import { createDb } from '../../src/db/client';
import {
  approvalLinkSettings,
  checkLinkToken,
  consumeLinkToken,
  createSession,
  csrfToken,
  csrfTokenMatches,
  DEV_APPROVAL_LINK_SECRET,
  issueLinkToken,
  readSession,
  revokeSession,
  type ApprovalLinkSettings,
} from '../../src/services/identity/approval-links';
import { createTenant } from '../support/builders';
import { TEST_DATABASE_URL } from '../support/environment';

/** Approvers' links and sessions: signed with the configured secret, expiring, and links single-use. */
describe('approval links and approver sessions', () => {
  const db = createDb(TEST_DATABASE_URL);
  afterAll(() => db.$disconnect());
  const settings: ApprovalLinkSettings = { secret: 'a-test-secret-that-is-long-enough-0123456789', linkTtlHours: 72, sessionHours: 12, learnerLinkTtlDays: 30 };

  async function person() {
    const { tenantId } = await createTenant(db);
    const row = await db.person.create({ data: { tenantId, source: 'test', externalId: 'P-1', email: 'p@example.com', name: 'P', hireDate: new Date('2025-01-01') } });
    return { tenantId, personId: row.id };
  }

  test('nothing but the development launcher starts without a signing secret, whatever NODE_ENV says', () => {
    for (const env of [{}, { NODE_ENV: 'development' }, { NODE_ENV: 'test' }, { NODE_ENV: 'production' }]) {
      expect(() => approvalLinkSettings(loadConfig(env))).toThrow('APPROVAL_LINK_SECRET: must be set');
    }
    expect(() => loadConfig({ APPROVAL_LINK_SECRET: 'short' })).toThrow('APPROVAL_LINK_SECRET: must be at least 32 characters');
    expect(approvalLinkSettings(loadConfig({ APPROVAL_LINK_SECRET: 'x'.repeat(32) }))).toEqual({ secret: 'x'.repeat(32), linkTtlHours: 72, sessionHours: 12, learnerLinkTtlDays: 30 });
    expect(approvalLinkSettings(loadConfig({}), { development: true }).secret).toBe(DEV_APPROVAL_LINK_SECRET);
  });

  test('a link is the same when issued again for the same message, and only its own secret validates it', async () => {
    const { tenantId, personId } = await person();
    const link = await issueLinkToken(db, settings, { tenantId, key: 'message-1', purpose: 'sign_in', personId });
    expect(await issueLinkToken(db, settings, { tenantId, key: 'message-1', purpose: 'sign_in', personId })).toBe(link);
    expect(await checkLinkToken(db, settings, link, 'sign_in')).toMatchObject({ ok: true, token: { personId, tenantId } });
    expect(await checkLinkToken(db, settings, link, 'decision')).toEqual({ ok: false, problem: 'invalid' });
    expect(await checkLinkToken(db, { ...settings, secret: 'another-secret-that-is-long-enough-012345' }, link, 'sign_in')).toEqual({ ok: false, problem: 'invalid' });
    const [id, exp, signature] = link.split('.') as [string, string, string];
    const extended = `${id}.${Number(exp) + 86_400}.${signature}`;
    expect(await checkLinkToken(db, settings, extended, 'sign_in')).toEqual({ ok: false, problem: 'invalid' });
    expect(await checkLinkToken(db, settings, 'garbage', 'sign_in')).toEqual({ ok: false, problem: 'invalid' });
  });

  test('a link works once, even when used twice at the same moment, and not after it expires', async () => {
    const { tenantId, personId } = await person();
    const link = await issueLinkToken(db, settings, { tenantId, key: 'message-2', purpose: 'sign_in', personId });
    const results = await Promise.all([consumeLinkToken(db, settings, link, 'sign_in'), consumeLinkToken(db, settings, link, 'sign_in')]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toEqual({ ok: false, problem: 'used' });

    const old = await issueLinkToken(db, settings, { tenantId, key: 'message-3', purpose: 'sign_in', personId, now: new Date(Date.now() - 73 * 3_600_000) });
    expect(await consumeLinkToken(db, settings, old, 'sign_in')).toEqual({ ok: false, problem: 'expired' });
  });

  test('a session names its tenant and person until it expires or is revoked; a changed cookie or a foreign form token is refused', async () => {
    const { tenantId, personId } = await person();
    const now = new Date('2026-11-22T10:00:00Z');
    const { value, expiresAt } = await createSession(db, settings, tenantId, personId, now);
    expect(expiresAt.toISOString()).toBe('2026-11-22T22:00:00.000Z');
    expect(await readSession(db, settings, value, now)).toEqual({ id: expect.any(String), tenantId, personId, expiresAt });
    expect(await readSession(db, settings, value, new Date('2026-11-22T22:00:01Z'))).toBeNull();
    const [id, exp, signature] = value.split('.') as [string, string, string];
    expect(await readSession(db, settings, `${id}.${Number(exp) + 3600}.${signature}`, now)).toBeNull();
    expect(await readSession(db, { ...settings, secret: 'another-secret-that-is-long-enough-012345' }, value, now)).toBeNull();
    expect(csrfTokenMatches(settings, value, csrfToken(settings, value))).toBe(true);
    const other = await createSession(db, settings, tenantId, personId, now);
    expect(csrfTokenMatches(settings, value, csrfToken(settings, other.value))).toBe(false);
    expect(csrfTokenMatches(settings, value, undefined)).toBe(false);

    // Signing out revokes the session itself: a copy of the cookie no longer works.
    await revokeSession(db, id);
    expect(await readSession(db, settings, value, now)).toBeNull();
    expect(await readSession(db, settings, other.value, now)).not.toBeNull();
  });
});
