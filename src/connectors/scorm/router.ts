import path from 'node:path';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { invalid } from '../../api/operation';
import { html, page, pageSecurityHeaders } from '../../api/pages/html';
import { cookieValue } from '../../api/cookies';
import type { Db } from '../../db/client';
import { DomainError, InvalidRequest, NotFound } from '../../domain/errors';
import type { CommandDelivery } from '../../services/processes/operations';
import { openAttempt, startSession, type AttemptRow } from '../../services/scorm/attempts';
import { applyCommit, recordAssetOpened } from '../../services/scorm/commits';
import { defaultOrganization, findItem, packageFolder, type PackageStore } from '../../services/scorm/packages';
import {
  CONTENT_COOKIE,
  contentCookie,
  contentCookieAllows,
  readLaunchToken,
  readSessionToken,
  sessionToken,
  type PlayerLinkSettings,
} from '../../services/scorm/player-links';
import { launchableItems, type ScormItem, type ScormManifest, type ScormVersion } from './manifest';
import { playerPage } from './player-page';
import { initialCmi, InvalidCommit } from './runtime';
import { findUnstorableText } from '../../domain/text';

export interface ScormRouterDeps {
  db: Db;
  delivery: CommandDelivery;
  store: PackageStore;
  links: PlayerLinkSettings;
  /** Cookies are Secure when trainhub is served over https. */
  secureCookies: boolean;
}

const ASSETS: Record<string, string> = {
  'scorm12.min.js': require.resolve('scorm-again/scorm12/min'),
  'scorm2004.min.js': require.resolve('scorm-again/scorm2004/min'),
  'player-client.js': path.join(__dirname, 'player-client.js'),
};

/**
 * What packaged content may do on trainhub's origin: run its own scripts (authoring tools inline and
 * eval them) and load what real courses load from elsewhere over https (fonts, a CDN's jQuery, an
 * embedded video); never plugins, a foreign <base>, forms posting elsewhere, or framing by others.
 */
const CONTENT_POLICY =
  "default-src 'self' https:; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob: https:; style-src 'self' 'unsafe-inline' https:; " +
  "img-src 'self' data: blob: https:; media-src 'self' data: blob: https:; font-src 'self' data: https:; connect-src 'self' https:; " +
  "frame-src 'self' https:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

const PLAYER_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self'; frame-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const commitBody = z.strictObject({
  token: z.string().max(2000),
  seq: z.number().int().min(1).max(1_000_000_000),
  terminated: z.boolean(),
  cmi: z.record(z.string(), z.unknown()),
});

/**
 * The SCORM player's own surface, on trainhub's origin so content finds the API in its parent frame:
 * launch links and navigation (server-rendered player), the runtime's commits, the package files,
 * and scorm-again's runtime scripts.
 */
export function scormRouter({ db, delivery, store, links, secureCookies }: ScormRouterDeps): Router {
  const router = Router();

  router.get('/scorm/assets/:file', (req, res, next) => {
    const file = ASSETS[req.params.file];
    if (!file) return next();
    res.sendFile(file, { headers: { 'cache-control': 'public, max-age=3600' } });
  });

  router.use(['/scorm/launch', '/scorm/play'], pageSecurityHeaders, (_req, res, next) => {
    res.set({ 'content-security-policy': PLAYER_POLICY, 'x-frame-options': 'DENY' });
    next();
  });

  const refuse = (res: Response, status: number, text: string) => {
    res
      .status(status)
      .type('html')
      .send(page({ title: 'Course not available', heading: 'trainhub training', body: html`<div class="card"><h2>This course cannot be opened</h2><p>${text}</p></div>` }));
  };

  const play = async (res: Response, attempt: AttemptRow, itemId: string | undefined) => {
    const manifest = attempt.package.manifest as unknown as ScormManifest;
    const contents = tableOfContents(manifest);
    const states = await db.scormScoState.findMany({ where: { attemptId: attempt.id }, select: { item: true, verdict: true, updatedAt: true } });
    const done = new Set(states.filter((s) => s.verdict === 'satisfied').map((s) => s.item));
    const item = itemId !== undefined ? findItem(manifest, itemId) : resumeAt(contents, states, done);
    if (!item || item.launchUrl === null) return refuse(res, 404, 'This part of the course does not exist.');
    const [course, person] = await Promise.all([
      db.course.findUniqueOrThrow({ where: { id: attempt.courseId }, select: { title: true } }),
      db.person.findUniqueOrThrow({ where: { id: attempt.personId }, select: { id: true, name: true } }),
    ]);
    const state = await startSession(db, attempt.id, item.identifier);
    if (item.scormType !== 'sco') await recordAssetOpened(db, delivery, attempt.id, item.identifier);
    const version = attempt.package.scormVersion as ScormVersion;
    const token = sessionToken(links, { attemptId: attempt.id, item: item.identifier, session: state.sessions });
    const previous = state.sessions > 1 ? state : null;
    const cmi = initialCmi(version, { learnerId: person.id, learnerName: person.name, item, previous, credit: true });
    const contentUrl = isExternal(item.launchUrl) ? item.launchUrl : `/scorm/content/${attempt.packageId}/${item.launchUrl}`;
    res.cookie(CONTENT_COOKIE, contentCookie(links, attempt.packageId), { httpOnly: true, sameSite: 'lax', secure: secureCookies, path: `/scorm/content/${attempt.packageId}/` });
    const href = (identifier: string) => `/scorm/play?session=${encodeURIComponent(token)}&item=${encodeURIComponent(identifier)}`;
    const at = contents.findIndex((c) => c.identifier === item.identifier);
    const navigation = {
      next: at >= 0 && at < contents.length - 1 ? href(contents[at + 1]!.identifier) : null,
      previous: at > 0 ? href(contents[at - 1]!.identifier) : null,
      items: Object.fromEntries(contents.map((c) => [c.identifier, href(c.identifier)])),
    };
    res
      .status(200)
      .type('html')
      .send(
        playerPage({
          courseTitle: course.title,
          version,
          item,
          contents: contents.map((c) => ({ item: c, current: c.identifier === item.identifier, done: done.has(c.identifier) })),
          launch: { version, commitUrl: '/scorm/commits', token, cmi, contentUrl, navigation },
        }),
      );
  };

  // A launch link (from the learner's page or the API): the person's open attempt, or a new one.
  router.get('/scorm/launch/:token', async (req, res) => {
    const check = readLaunchToken(links, req.params.token);
    if (!check.ok) return refuse(res, check.problem === 'expired' ? 410 : 400, check.problem === 'expired' ? 'This link has expired. Open the course again from your training page.' : 'This link is not valid.');
    const { tenantId, personId, courseId } = check.grant;
    try {
      await play(res, await openAttempt(db, tenantId, personId, courseId), undefined);
    } catch (error) {
      if (error instanceof DomainError && error.status < 500) return refuse(res, error.status, error.status === 404 ? 'This course has no content to play here.' : error.message);
      throw error;
    }
  });

  // Moving within an attempt (table of contents, previous / next): the current page's session token allows it.
  router.get('/scorm/play', async (req, res) => {
    const check = readSessionToken(links, req.query.session);
    if (!check.ok) return refuse(res, check.problem === 'expired' ? 410 : 400, check.problem === 'expired' ? 'This session has expired. Open the course again from your training page.' : 'This link is not valid.');
    const attempt = await db.scormAttempt.findUnique({ where: { id: check.grant.attemptId }, include: { package: true } });
    if (!attempt) return refuse(res, 404, 'This attempt does not exist.');
    const item = typeof req.query.item === 'string' ? req.query.item : undefined;
    await play(res, attempt, item);
  });

  // Commits: JSON, or JSON sent as text/plain by navigator.sendBeacon when the page is left.
  router.post('/scorm/commits', express.text({ type: ['application/json', 'text/plain'], limit: '4mb' }), async (req: Request, res: Response) => {
    res.set('cache-control', 'no-store');
    try {
      if (typeof req.body !== 'string') throw new InvalidRequest('A commit is a JSON body (Content-Type: application/json or text/plain)');
      let parsed: unknown;
      try {
        parsed = JSON.parse(req.body);
      } catch {
        throw new InvalidRequest('The commit body is not valid JSON');
      }
      const body = commitBody.safeParse(parsed);
      if (!body.success) throw invalid('commit', body.error.issues, ['body']);
      // PostgreSQL cannot keep NUL or half a surrogate pair; other characters content sends are kept as sent.
      const unstorable = findUnstorableText(body.data.cmi);
      if (unstorable) throw new InvalidCommit(['cmi', ...unstorable.path].join('.'), `must not contain ${unstorable.character}`);
      const grant = readSessionToken(links, body.data.token);
      if (!grant.ok) {
        res.status(401).json({ result: false, errorCode: 101, error: { code: `session_${grant.problem}`, message: grant.problem === 'expired' ? 'The player session has expired; reopen the course' : 'The commit does not carry a valid player session token', requestId: req.id } });
        return;
      }
      const outcome = await applyCommit(db, delivery, grant.grant, body.data);
      res.status(200).json({ result: true, errorCode: 0, ...outcome });
    } catch (error) {
      if (!(error instanceof DomainError) || error.status >= 500) throw error;
      res.status(error.status).json({ result: false, errorCode: 101, error: { code: error.code, message: error.message, details: error.details, requestId: req.id } });
    }
  });

  // The package's files, to the browser that holds the player's cookie for this package.
  const tenantOf = new Map<string, string>();
  router.get('/scorm/content/:packageId/*path', async (req, res) => {
    const packageId = req.params.packageId;
    if (!contentCookieAllows(links, cookieValue(req, CONTENT_COOKIE), packageId)) {
      res.status(403).json({ error: { code: 'forbidden', message: 'Open the course through its launch link first', requestId: req.id } });
      return;
    }
    let tenantId = tenantOf.get(packageId);
    if (!tenantId) {
      const row = await db.scormPackage.findUnique({ where: { id: packageId }, select: { tenantId: true } });
      if (!row) throw new NotFound('scorm_package', packageId);
      tenantId = row.tenantId;
      tenantOf.set(packageId, tenantId);
    }
    const file = (req.params as unknown as { path: string[] }).path.join('/');
    res.sendFile(file, {
      root: packageFolder(store, tenantId, packageId),
      dotfiles: 'allow',
      headers: { 'content-security-policy': CONTENT_POLICY, 'x-content-type-options': 'nosniff', 'cache-control': 'private, max-age=3600' },
    }, (error?: Error & { status?: number; statusCode?: number }) => {
      if (!error || res.headersSent) return;
      const status = error.status ?? error.statusCode ?? 500;
      res.status(status === 403 || status === 400 ? 404 : status).json({ error: { code: 'not_found', message: `The package has no file ${file}`, requestId: req.id } });
    });
  });

  return router;
}

const isExternal = (url: string) => /^https?:\/\//i.test(url);

/** Visible items that launch something (all of them when none is visible), in document order. */
function tableOfContents(manifest: ScormManifest): ScormItem[] {
  const organization = defaultOrganization(manifest);
  const all = organization ? launchableItems(organization) : [];
  const visible = all.filter((i) => i.isVisible);
  return visible.length > 0 ? visible : all;
}

/** Where a returning learner lands: the SCO they last worked on, unless done; else the first not done. */
function resumeAt(contents: ScormItem[], states: { item: string; updatedAt: Date }[], done: Set<string>): ScormItem | undefined {
  const last = [...states].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
  const lastItem = last && !done.has(last.item) ? contents.find((c) => c.identifier === last.item) : undefined;
  return lastItem ?? contents.find((c) => !done.has(c.identifier)) ?? contents[0];
}
