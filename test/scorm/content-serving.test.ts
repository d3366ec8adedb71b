import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createTenant, givenCatalog, hireEvent } from '../support/builders';
import { SCORM_FIXTURES } from '../support/scorm-zip';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { openPlayer, uploadPackage, type PlayerSession } from '../support/scorm-player';
import { launchToken } from '../../src/services/scorm/player-links';

const FIXTURES = SCORM_FIXTURES;

/**
 * A package's files are served from trainhub's own origin to the browser that opened the player:
 * with their MIME types, nosniff and a content security policy, byte ranges for media, and never a
 * byte outside the package's folder or to someone without the player's cookie.
 */
describe('serving SCORM content', () => {
  let h: Harness;
  let player: PlayerSession;
  let other: PlayerSession;
  let packageFolder: string;
  beforeAll(async () => {
    h = await startHarness();
    const open = async () => {
      const { tenantId, apiKey } = await createTenant(h.db);
      const api = apiClient(h.baseUrl, apiKey);
      await givenCatalog(h.db, tenantId, { programs: { golf: ['golf-explained'] }, roles: { golfer: [{ program: 'golf', dueOffsetDays: 30 }] } });
      const pkg = await uploadPackage(h.baseUrl, apiKey, 'golf-explained', await readFile(path.join(FIXTURES, 'golf-scorm12.zip')));
      const { personId } = (await api.post('/api/v1/hr/events', hireEvent({ roles: ['golfer'] }))).body;
      const [assignment] = (await api.get(`/api/v1/people/${personId}/assignments`)).body.data;
      return { session: await openPlayer(h.baseUrl, assignment.courses[0].launchUrl), folder: path.join(h.scorm.store.root, tenantId, pkg.id) };
    };
    ({ session: player, folder: packageFolder } = await open());
    ({ session: other } = await open());
  });
  afterAll(() => h?.close());

  const get = (url: string, headers: Record<string, string> = {}) => fetch(`${h.baseUrl}${url}`, { headers: { cookie: player.cookie, ...headers } });
  const base = () => player.contentUrl.replace(/shared\/launchpage\.html$/, '');

  test('the player page loads only its own scripts, frames only this origin, and hands the content a cookie for its package only', async () => {
    expect(player.status).toBe(200);
    expect(player.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(player.headers.get('x-frame-options')).toBe('DENY');
    expect(player.html).toContain('<script src="/scorm/assets/scorm12.min.js"></script>');
    expect(player.contentUrl).toMatch(/^\/scorm\/content\/[0-9a-f-]{36}\/shared\/launchpage\.html$/);
    expect(player.headers.get('set-cookie')).toMatch(new RegExp(`^trainhub_scorm=[^;]+; Path=${player.contentUrl.replace(/shared\/launchpage\.html$/, '')}; HttpOnly; SameSite=Lax$`));
    expect((await fetch(`${h.baseUrl}/scorm/assets/player-client.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${h.baseUrl}/scorm/assets/scorm12.min.js`)).status).toBe(200);
    expect((await fetch(`${h.baseUrl}/scorm/assets/..%2fpackage.json`)).status).toBe(404);
  });

  test('files come with their MIME type, nosniff and a content security policy (no plugins, framed by trainhub only)', async () => {
    const launch = await get(player.contentUrl);
    expect(launch.status).toBe(200);
    expect(launch.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(launch.headers.get('x-content-type-options')).toBe('nosniff');
    expect(launch.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    expect(launch.headers.get('content-security-policy')).toContain("object-src 'none'");
    expect((await get(`${base()}shared/scormfunctions.js`)).headers.get('content-type')).toMatch(/^(application|text)\/javascript/);
    expect((await get(`${base()}shared/style.css`)).headers.get('content-type')).toMatch(/^text\/css/);
    expect((await get(`${base()}Playing/rules.jpg`)).headers.get('content-type')).toBe('image/jpeg');
  });

  test('byte ranges are served for media', async () => {
    const whole = await readFile(path.join(packageFolder, 'Playing', 'rules.jpg'));
    const part = await get(`${base()}Playing/rules.jpg`, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${whole.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(whole.subarray(100, 200));
    const full = Buffer.from(await (await get(`${base()}Playing/rules.jpg`)).arrayBuffer());
    expect(createHash('sha256').update(full).digest('hex')).toBe(createHash('sha256').update(whole).digest('hex'));
  });

  test('nothing outside the package folder, nothing without the player’s cookie, and no other tenant’s package', async () => {
    const otherPackage = other.contentUrl.split('/')[3]!;
    for (const escape of ['..%2f..%2f..%2fpackage.json', '%2e%2e/%2e%2e/%2e%2e/package.json', `..%2f${otherPackage}%2fimsmanifest.xml`, '..%5c..%5cpackage.json', 'shared/%00launchpage.html', 'no/such/file.html']) {
      const response = await get(`${base()}${escape}`);
      expect([escape, response.status]).toEqual([escape, 404]);
    }
    expect((await fetch(`${h.baseUrl}${player.contentUrl}`)).status).toBe(403);
    // This browser's cookie names its own package only.
    expect((await get(other.contentUrl)).status).toBe(403);
    expect((await fetch(`${h.baseUrl}${other.contentUrl}`, { headers: { cookie: other.cookie } })).status).toBe(200);
  });

  test('a forged or expired launch link opens nothing', async () => {
    const forged = await fetch(`${h.baseUrl}/scorm/launch/${launchToken({ secret: 'not-the-secret', launchMinutes: 60 }, { tenantId: '00000000-0000-4000-8000-000000000000', personId: '00000000-0000-4000-8000-000000000000', courseId: '00000000-0000-4000-8000-000000000000' })}`);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('This link is not valid');
    const expired = launchToken(h.scorm.links, { tenantId: '00000000-0000-4000-8000-000000000000', personId: '00000000-0000-4000-8000-000000000000', courseId: '00000000-0000-4000-8000-000000000000' }, new Date(Date.now() - 2 * 3600_000));
    const response = await fetch(`${h.baseUrl}/scorm/launch/${expired}`);
    expect(response.status).toBe(410);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
