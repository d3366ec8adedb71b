import express, { Router, type Response } from 'express';
import type { Db } from '../../db/client';
import { DomainError } from '../../domain/errors';
import { findForbiddenText } from '../../domain/text';
import {
  acknowledgementStanding,
  checkSigningLink,
  documentFormToken,
  documentFormTokenMatches,
  findSignableVersion,
  requestSigningLink,
  signWithLink,
  type AcknowledgementStanding,
  type SignableVersion,
} from '../../services/documents/acknowledgements';
import { checkLinkToken, type ApprovalLinkSettings, type LinkProblem } from '../../services/identity/approval-links';
import type { CommandDelivery } from '../../services/processes/operations';
import { html, page, pageSecurityHeaders, type Markup } from './html';

export interface AcknowledgementPageDeps {
  db: Db;
  /** Where a requested signing link's delivery is handed (the dispatcher). */
  delivery: CommandDelivery;
  settings: ApprovalLinkSettings;
  publicUrl: string;
}

const LEARNER_LINK_PROBLEMS: Record<LinkProblem, { status: number; text: string }> = {
  invalid: { status: 400, text: 'This link is not valid. Use the link from your most recent training e-mail.' },
  expired: { status: 410, text: 'This link has expired. Your next training e-mail carries a fresh one.' },
  used: { status: 410, text: 'This link was already used. Use the link from your most recent training e-mail.' },
};

const SIGNING_LINK_PROBLEMS: Record<LinkProblem, { status: number; text: string }> = {
  invalid: { status: 400, text: 'This signing link is not valid. Ask for a new one from the link in your training e-mail.' },
  expired: { status: 410, text: 'This signing link has expired. Ask for a new one from the link in your training e-mail.' },
  used: { status: 410, text: 'This signing link was already used. Each signing link works once.' },
};

function utc(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** What the person is told when they have nothing to sign: chosen by code, nothing from the URL. */
function nothingToSign(standing: Exclude<AcknowledgementStanding, { state: 'owed' | 'signed' }>, version: SignableVersion): string {
  switch (standing.reason) {
    case 'not_an_acknowledgement':
      return 'This document is trained on through a course or program; there is nothing to sign here.';
    case 'no_training':
      return 'You are not asked to sign this version.';
    case 'version_not_in_force':
      return `This version is ${version.status}, not in force, so it cannot be signed.`;
    case 'person_not_active':
      return 'Your account is no longer active, so you cannot sign.';
    case 'training_closed':
      return standing.trainingStatus === 'credited'
        ? 'You are credited with this version (as its author or approver); there is nothing to sign.'
        : standing.trainingStatus === 'obsolete'
          ? 'A newer version replaced this one; your training e-mail links to it.'
          : 'Your training on this version is complete; there is nothing to sign.';
  }
}

/** The version as a signature records it: title, number, effective date, content hash, and the meaning. */
function versionCard(version: SignableVersion, below: Markup | null): Markup {
  return html`<article class="card" data-version-id="${version.id}">
<h2>${version.title}</h2>
<p class="meta">Version ${version.version} · effective ${version.effectiveDate}</p>
<p class="meta">Content SHA-256: <strong class="hash-short">${version.contentHash.slice(0, 12)}</strong></p>
<p class="meta">Full hash: <span class="hash-full">${version.contentHash}</span></p>
<p class="meta">By signing you state:</p>
<div class="why meaning">${version.meaning}</div>
${below}
</article>`;
}

function signedNote(name: string, standing: Extract<AcknowledgementStanding, { state: 'signed' }>): Markup {
  return html`<div class="notice signed" role="status">Signed by ${name} on ${utc(standing.signedAt)}.</div>`;
}

/**
 * "Read and understood": the page a training e-mail links to for one document version (opened with
 * the person's reusable learner link), where the person asks for a fresh signing link by e-mail, and
 * the page that link opens, where they sign. Opening a link only shows a page; asking and signing are
 * POSTs from those pages, guarded by a form token bound to the link.
 */
export function acknowledgementPages({ db, delivery, settings, publicUrl }: AcknowledgementPageDeps): Router {
  const router = Router();
  router.use('/documents', pageSecurityHeaders, express.urlencoded({ extended: false, limit: '10kb' }), (req, res, next) => {
    if (findForbiddenText(req.body) || findForbiddenText(req.query)) {
      return send(res, 400, 'Not accepted', html`<div class="error" role="alert">The form contains characters that cannot be used (control characters).</div>`);
    }
    next();
  });

  const send = (res: Response, status: number, title: string, body: Markup) => {
    res.status(status).type('html').send(page({ title, heading: 'trainhub documents', body }));
  };
  const linkProblem = (res: Response, problem: LinkProblem, problems: Record<LinkProblem, { status: number; text: string }>) => {
    const { status, text } = problems[problem];
    send(res, status, 'Link not usable', html`<div class="card"><h2>This link cannot be used</h2><p>${text}</p></div>`);
  };
  const noSuchVersion = (res: Response) =>
    send(res, 404, 'Not found', html`<div class="card"><h2>No such document version</h2><p>This link names a document version that does not exist. Use the link from your most recent training e-mail.</p></div>`);
  const personName = async (tenantId: string, personId: string) =>
    (await db.person.findFirst({ where: { tenantId, id: personId }, select: { name: true } }))?.name ?? '';

  // ─── The version, from the training e-mail ───────────────────────────────────────────────────
  const acknowledgePage = async (res: Response, status: number, learnerToken: string, link: { tenantId: string; personId: string }, version: SignableVersion, banner: Markup | null) => {
    const standing = await acknowledgementStanding(db, version, link.personId);
    const below =
      standing.state === 'signed'
        ? signedNote(await personName(link.tenantId, link.personId), standing)
        : standing.state === 'not_owed'
          ? html`<p class="nothing-to-sign"><strong>${nothingToSign(standing, version)}</strong></p>`
          : html`<p><span class="due">Due ${standing.dueDate}</span></p>
<p>To sign, confirm it is you: we e-mail you a link that works once.</p>
<form method="post" action="/documents/acknowledge">
<input type="hidden" name="token" value="${learnerToken}">
<input type="hidden" name="version" value="${version.id}">
<input type="hidden" name="form" value="${documentFormToken(settings, learnerToken, version.id)}">
<button class="primary" type="submit">E-mail me a signing link</button>
</form>`;
    send(res, status, version.title, html`${banner}${versionCard(version, below)}`);
  };

  router.get('/documents/acknowledge', async (req, res) => {
    const check = await checkLinkToken(db, settings, req.query.token, 'learner');
    if (!check.ok) return linkProblem(res, check.problem, LEARNER_LINK_PROBLEMS);
    const version = typeof req.query.version === 'string' ? await findSignableVersion(db, check.token.tenantId, req.query.version) : null;
    if (!version) return noSuchVersion(res);
    await acknowledgePage(res, 200, String(req.query.token), check.token, version, null);
  });

  router.post('/documents/acknowledge', async (req, res) => {
    const token = typeof req.body?.token === 'string' ? req.body.token : '';
    const versionId = typeof req.body?.version === 'string' ? req.body.version : '';
    if (!documentFormTokenMatches(settings, token, versionId, req.body?.form)) {
      return send(res, 403, 'Please open the link again', html`<div class="card"><h2>Please open the link again</h2><p>This form was not sent from the page your training e-mail opens. Open the link from your e-mail again.</p></div>`);
    }
    const check = await checkLinkToken(db, settings, token, 'learner');
    if (!check.ok) return linkProblem(res, check.problem, LEARNER_LINK_PROBLEMS);
    const version = await findSignableVersion(db, check.token.tenantId, versionId);
    if (!version) return noSuchVersion(res);
    try {
      const sent = await requestSigningLink(db, delivery, settings, publicUrl, { tenantId: check.token.tenantId, personId: check.token.personId, versionId: version.id });
      send(
        res,
        200,
        'Check your e-mail',
        html`<div class="notice" role="status">Check your e-mail: a signing link is on its way to ${sent.email}. It works once, for ${sent.validHours} hours.</div>${versionCard(version, null)}`,
      );
    } catch (error) {
      if (!(error instanceof DomainError) || error.status !== 409) throw error;
      await acknowledgePage(res, 409, token, check.token, version, null);
    }
  });

  // ─── Signing, from the e-mailed signing link ─────────────────────────────────────────────────
  const signPage = async (res: Response, status: number, token: string, link: { tenantId: string; personId: string }, version: SignableVersion, banner: Markup | null) => {
    const standing = await acknowledgementStanding(db, version, link.personId);
    if (standing.state !== 'owed') {
      const below = standing.state === 'signed' ? signedNote(await personName(link.tenantId, link.personId), standing) : html`<p class="nothing-to-sign"><strong>${nothingToSign(standing, version)}</strong></p>`;
      return send(res, 409, version.title, html`${banner}${versionCard(version, below)}`);
    }
    const name = await personName(link.tenantId, link.personId);
    send(
      res,
      status,
      `Sign ${version.title}`,
      html`${banner}${versionCard(
        version,
        html`<form method="post" action="/documents/sign">
<input type="hidden" name="token" value="${token}">
<input type="hidden" name="form" value="${documentFormToken(settings, token, version.id)}">
<input type="hidden" name="contentHash" value="${version.contentHash}">
<p class="meta">Signing as ${name}</p>
<div class="actions"><button class="approve" type="submit">Sign</button></div>
</form>`,
      )}`,
    );
  };

  router.get('/documents/sign', async (req, res) => {
    const check = await checkSigningLink(db, settings, req.query.token);
    if (!check.ok) return linkProblem(res, check.problem, SIGNING_LINK_PROBLEMS);
    const version = await findSignableVersion(db, check.link.tenantId, check.versionId);
    if (!version) return noSuchVersion(res);
    await signPage(res, 200, String(req.query.token), check.link, version, null);
  });

  router.post('/documents/sign', async (req, res) => {
    const token = typeof req.body?.token === 'string' ? req.body.token : '';
    const check = await checkSigningLink(db, settings, token);
    if (!check.ok) return linkProblem(res, check.problem, SIGNING_LINK_PROBLEMS);
    if (!documentFormTokenMatches(settings, token, check.versionId, req.body?.form)) {
      return send(res, 403, 'Please open the link again', html`<div class="card"><h2>Please open the link again</h2><p>This form was not sent from the page your signing link opens. Open the link from your e-mail again.</p></div>`);
    }
    const version = await findSignableVersion(db, check.link.tenantId, check.versionId);
    if (!version) return noSuchVersion(res);
    // Said before the link is spent: nothing to sign, or a version that is not what the page showed.
    const standing = await acknowledgementStanding(db, version, check.link.personId);
    if (standing.state !== 'owed') return signPage(res, 409, token, check.link, version, null);
    if (req.body?.contentHash !== version.contentHash) {
      return signPage(res, 409, token, check.link, version, html`<div class="error" role="alert">The document changed since you opened the page. Read it as it is now, then sign.</div>`);
    }
    let signed;
    try {
      signed = await signWithLink(db, settings, { token, expectedContentHash: version.contentHash, address: req.ip ?? null, requestId: req.id });
    } catch (error) {
      if (!(error instanceof DomainError) || error.status >= 500) throw error;
      return send(res, error.status, 'Not signed', html`<div class="error" role="alert">${error.message}</div>${versionCard(version, null)}`);
    }
    if (!signed.ok) return linkProblem(res, signed.problem, SIGNING_LINK_PROBLEMS);
    const { acknowledgement } = signed;
    send(
      res,
      200,
      'Signed',
      html`<div class="notice" role="status">Signed. Your signature is recorded.</div>${versionCard(
        version,
        html`<p class="meta">Signed by ${await personName(check.link.tenantId, check.link.personId)} on ${utc(acknowledgement.signedAt)} · record ${acknowledgement.id}</p>`,
      )}`,
    );
  });

  return router;
}
