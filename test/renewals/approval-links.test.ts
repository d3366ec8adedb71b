import { loadConfig } from '../../src/config';
import { createDb } from '../../src/db/client';
import {
  approvalLinkSettings,
  checkLinkToken,
  consumeLinkToken,
  createSessionValue,
  csrfToken,
  csrfTokenMatches,
  issueLinkToken,
  readSessionValue,
  type ApprovalLinkSettings,
} from '../../src/services/identity/approval-links';
import { createTenant } from '../support/builders';
import { TEST_DATABASE_URL } from '../support/environment';

/** Approvers' links and sessions: signed with the configured secret, expiring, and links single-use. */
describe('approval links and approver sessions', () => {
  const db = createDb(TEST_DATABASE_URL);
  afterAll(() => db.$disconnect());
  const settings: ApprovalLinkSettings = { secret: 'a-test-secret-that-is-long-enough-0123456789', linkTtlHours: 72, sessionHours: 12 };

  async function person() {
    const { tenantId } = await createTenant(db);
    const row = await db.person.create({ data: { tenantId, source: 'test', externalId: 'P-1', email: 'p@example.com', name: 'P', hireDate: new Date('2025-01-01') } });
    return { tenantId, personId: row.id };
  }

  test('production refuses to start without a signing secret; elsewhere a development secret applies', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('APPROVAL_LINK_SECRET: must be set in production');
    expect(() => loadConfig({ NODE_ENV: 'production', APPROVAL_LINK_SECRET: 'short' })).toThrow('APPROVAL_LINK_SECRET: must be at least 32 characters');
    const development = approvalLinkSettings(loadConfig({}));
    expect(development).toMatchObject({ linkTtlHours: 72, sessionHours: 12 });
    expect(development.secret.length).toBeGreaterThanOrEqual(32);
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

  test('a session names its tenant and person until it expires; a changed cookie or a foreign form token is refused', () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const tenantId = '6f1f7c8e-1b2a-4c3d-9e8f-0a1b2c3d4e5f';
    const personId = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
    const { value, expiresAt } = createSessionValue(settings, tenantId, personId, now);
    expect(expiresAt.toISOString()).toBe('2026-11-22T22:00:00.000Z');
    expect(readSessionValue(settings, value, now)).toEqual({ tenantId, personId, expiresAt });
    expect(readSessionValue(settings, value, new Date('2026-11-22T22:00:01Z'))).toBeNull();
    expect(readSessionValue(settings, value.replace(personId, tenantId), now)).toBeNull();
    expect(csrfTokenMatches(settings, value, csrfToken(settings, value))).toBe(true);
    expect(csrfTokenMatches(settings, value, csrfToken(settings, createSessionValue(settings, tenantId, tenantId, now).value))).toBe(false);
    expect(csrfTokenMatches(settings, value, undefined)).toBe(false);
  });
});
