import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type { Db } from '../../db/client';
import { DomainError } from '../../domain/errors';
import { findForbiddenText } from '../../domain/text';
import { listInbox, findApprovalStep, type InboxItem } from '../../services/renewals/approvals';
import {
  checkLinkToken,
  consumeLinkToken,
  createSession,
  csrfToken,
  csrfTokenMatches,
  readSession,
  releaseLinkToken,
  revokeSession,
  SESSION_COOKIE,
  SIGN_IN_COOKIE,
  signInFormToken,
  signInFormTokenMatches,
  type ApprovalLinkSettings,
  type ApproverSession,
  type LinkProblem,
} from '../../services/identity/approval-links';
import { requestSignInLink } from '../../services/identity/sign-in-requests';
import type { CommandDelivery } from '../../services/processes/operations';
import type { Processes } from '../../temporal/processes';
import { submitDecision } from '../../services/renewals/decisions';
import { cookieValue as readCookie } from '../cookies';
import { html, page, pageSecurityHeaders, type Markup } from './html';

export interface ApproverPageDeps {
  db: Db;
  processes: Processes;
  /** Where a requested sign-in link's delivery is handed (the dispatcher). */
  delivery: CommandDelivery;
  settings: ApprovalLinkSettings;
  publicUrl: string;
}

type FormDecision = 'approve' | 'reject' | 'request_changes';
const FORM_DECISIONS: readonly FormDecision[] = ['approve', 'reject', 'request_changes'];

/** Messages after a decision: chosen from this list by code, so nothing from the URL reaches the page. */
const NOTICES: Record<string, string> = {
  approved: 'Approved. Thank you — the request moves on.',
  rejected: 'Rejected. The requester will be told why.',
  changes_requested: 'Changes requested. The requester will be told what to change.',
};

const LINK_PROBLEMS: Record<LinkProblem, { status: number; text: string }> = {
  invalid: { status: 400, text: 'This link is not valid. Use the link from your most recent approval e-mail.' },
  expired: { status: 410, text: 'This link has expired. Your pending approvals are in your inbox; newer e-mails carry fresh links.' },
  used: { status: 410, text: 'This link was already used. Each e-mailed link works once.' },
};

const NEW_LINK = html`<p><a href="/approver/sign-in/new">E-mail me a new sign-in link</a></p>`;

function dueText(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function what(item: { kind: string; target: { title: string }; version: string | null }): string {
  return `${item.target.title}${item.version ? ` — version ${item.version}` : ''}`;
}

function decisionError(error: unknown): { status: number; message: string } | null {
  if (error instanceof DomainError) return { status: error.status, message: error.message };
  return null;
}

/**
 * The approver's pages: a phone-sized inbox of waiting steps, reached through a signed sign-in link,
 * and the confirmation page an e-mailed decision link opens. A link click only ever shows a page; the
 * decision is a POST from that page.
 */
export function approverPages({ db, processes, delivery, settings, publicUrl }: ApproverPageDeps): Router {
  const router = Router();
  const secureCookie = publicUrl.startsWith('https://');
  router.use('/approver', pageSecurityHeaders, express.urlencoded({ extended: false, limit: '20kb' }), (req, res, next) => {
    // Nothing a form or link carries may hold control characters or unpaired surrogates: refused
    // before anything is used up or written.
    if (findForbiddenText(req.body) || findForbiddenText(req.query)) {
      return send(res, 400, 'Not accepted', html`<div class="error" role="alert">The form contains characters that cannot be stored (control characters). Please remove them and try again.</div>`);
    }
    next();
  });

  const send = (res: Response, status: number, title: string, body: Markup, signOutCsrf?: string) => {
    res.status(status).type('html').send(page({ title, body, ...(signOutCsrf ? { signOutCsrf } : {}) }));
  };
  const linkProblem = (res: Response, problem: LinkProblem) => {
    const { status, text } = LINK_PROBLEMS[problem];
    send(res, status, 'Link not usable', html`<div class="card"><h2>This link cannot be used</h2><p>${text}</p>${NEW_LINK}</div>`);
  };

  const cookieValue = (req: Request, cookie = SESSION_COOKIE) => readCookie(req, cookie);

  /** The signed-in approver, if their session is valid (not expired, not signed out) and they are still active. */
  const signedIn = async (req: Request): Promise<{ session: ApproverSession; value: string; name: string } | null> => {
    const value = cookieValue(req);
    const session = await readSession(db, settings, value);
    if (!session || !value) return null;
    const person = await db.person.findFirst({ where: { tenantId: session.tenantId, id: session.personId, status: 'active' }, select: { name: true } });
    return person ? { session, value, name: person.name } : null;
  };

  const signedOut = (res: Response) =>
    send(
      res,
      401,
      'Sign in',
      html`<div class="card"><h2>Please sign in</h2><p>Open the “All your pending approvals” link in your most recent approval e-mail to see your inbox.</p>${NEW_LINK}</div>`,
    );

  // ─── Sign-in ─────────────────────────────────────────────────────────────────────────────────
  router.get('/approver/sign-in', async (req, res) => {
    const check = await checkLinkToken(db, settings, req.query.token, 'sign_in');
    if (!check.ok) return linkProblem(res, check.problem);
    const person = await db.person.findFirst({ where: { tenantId: check.token.tenantId, id: check.token.personId }, select: { name: true } });
    // The form only works in the browser that opened the link: no other site can sign someone in.
    const nonce = randomBytes(24).toString('base64url');
    res.cookie(SIGN_IN_COOKIE, nonce, { httpOnly: true, sameSite: 'lax', secure: secureCookie, path: '/approver', maxAge: 30 * 60_000 });
    send(
      res,
      200,
      'Sign in',
      html`<div class="card">
<h2>Hello ${person?.name ?? ''}</h2>
<p>Continue to see the approvals waiting for you.</p>
<form method="post" action="/approver/sign-in">
<input type="hidden" name="token" value="${String(req.query.token)}">
<input type="hidden" name="guard" value="${signInFormToken(settings, nonce)}">
<button class="primary" type="submit">Open my approvals</button>
</form>
</div>`,
    );
  });

  router.post('/approver/sign-in', async (req, res) => {
    if (!signInFormTokenMatches(settings, cookieValue(req, SIGN_IN_COOKIE), req.body?.guard)) {
      return send(res, 403, 'Sign in', html`<div class="card"><h2>Please open the link again</h2><p>This sign-in form was not opened from your e-mail in this browser, or it is more than 30 minutes old. Open the link from your e-mail again.</p></div>`);
    }
    const used = await consumeLinkToken(db, settings, req.body?.token, 'sign_in');
    if (!used.ok) return linkProblem(res, used.problem);
    const { value, expiresAt } = await createSession(db, settings, used.token.tenantId, used.token.personId);
    res.clearCookie(SIGN_IN_COOKIE, { path: '/approver' });
    res.cookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: secureCookie, path: '/approver', expires: expiresAt });
    res.redirect(303, '/approver/inbox');
  });

  router.post('/approver/sign-out', async (req, res) => {
    const value = cookieValue(req);
    if (value && !csrfTokenMatches(settings, value, req.body?.csrf)) return send(res, 403, 'Not allowed', html`<div class="error">This form has expired; reload the page.</div>`);
    // The session itself ends: a copy of the cookie no longer signs anyone in.
    const session = await readSession(db, settings, value);
    if (session) await revokeSession(db, session.id);
    res.clearCookie(SESSION_COOKIE, { path: '/approver' });
    send(res, 200, 'Signed out', html`<div class="card"><h2>Signed out</h2><p>You can close this page.</p></div>`);
  });

  // An approver whose links have all expired asks for a new one by e-mail address.
  const newLinkForm = (res: Response, status: number, banner: Markup | null) =>
    send(
      res,
      status,
      'New sign-in link',
      html`${banner}<div class="card"><h2>E-mail me a sign-in link</h2>
<form method="post" action="/approver/sign-in/new">
<label for="email">Your work e-mail address</label>
<input id="email" name="email" type="email" required maxlength="320" autocomplete="email">
<div class="actions"><button class="primary" type="submit">Send me a link</button></div>
</form></div>`,
    );
  router.get('/approver/sign-in/new', (_req, res) => newLinkForm(res, 200, null));
  router.post('/approver/sign-in/new', async (req, res) => {
    const email = typeof req.body?.email === 'string' ? req.body.email.trim() : '';
    if (!/^[^\s@]{1,200}@[^\s@]{1,200}$/.test(email)) return newLinkForm(res, 400, html`<div class="error" role="alert">Please enter an e-mail address.</div>`);
    await requestSignInLink(db, delivery, settings, publicUrl, email);
    send(
      res,
      200,
      'Check your e-mail',
      html`<div class="notice" role="status">If approvals are waiting for ${email}, a sign-in link is on its way. It works once, for ${settings.linkTtlHours} hours.</div>`,
    );
  });

  // ─── Inbox ───────────────────────────────────────────────────────────────────────────────────
  router.get('/approver', (_req, res) => {
    res.redirect(303, '/approver/inbox');
  });

  const inboxPage = async (res: Response, who: { session: ApproverSession; value: string; name: string }, status: number, banner: Markup | null) => {
    const items = await listInbox(db, who.session.tenantId, who.session.personId);
    const csrf = csrfToken(settings, who.value);
    const cards = items.map((item) => inboxCard(item, csrf));
    send(
      res,
      status,
      'Your approvals',
      html`${banner}<p class="meta">Signed in as ${who.name} · ${items.length} waiting</p>
${items.length === 0 ? html`<div class="card empty">Nothing waits for your approval.</div>` : cards}`,
      csrf,
    );
  };

  router.get('/approver/inbox', async (req, res) => {
    const who = await signedIn(req);
    if (!who) return signedOut(res);
    const notice = typeof req.query.done === 'string' ? NOTICES[req.query.done] : undefined;
    await inboxPage(res, who, 200, notice ? html`<div class="notice" role="status">${notice}</div>` : null);
  });

  router.post('/approver/approvals/:id/decision', async (req, res) => {
    const who = await signedIn(req);
    if (!who) return signedOut(res);
    if (!csrfTokenMatches(settings, who.value, req.body?.csrf)) {
      return inboxPage(res, who, 403, html`<div class="error" role="alert">This form has expired; please try again.</div>`);
    }
    const decision = req.body?.decision as FormDecision;
    const reason = typeof req.body?.reason === 'string' ? req.body.reason.trim().slice(0, 2000) : '';
    if (!FORM_DECISIONS.includes(decision)) return inboxPage(res, who, 400, html`<div class="error" role="alert">Choose approve, reject or request changes.</div>`);
    if (decision !== 'approve' && !reason) {
      return inboxPage(res, who, 422, html`<div class="error" role="alert">Please give a reason to ${decision === 'reject' ? 'reject' : 'request changes'}.</div>`);
    }
    try {
      const result = await submitDecision(db, processes, who.session.tenantId, {
        stepId: req.params.id,
        actorPersonId: who.session.personId,
        decision,
        ...(reason ? { reason } : {}),
        channel: 'inbox',
        httpRequestId: req.id,
      });
      res.redirect(303, `/approver/inbox?done=${result.decision === 'approve' ? 'approved' : result.decision === 'reject' ? 'rejected' : 'changes_requested'}`);
    } catch (error) {
      const known = decisionError(error);
      if (!known) throw error;
      await inboxPage(res, who, known.status, html`<div class="error" role="alert">${known.message}</div>`);
    }
  });

  // ─── E-mailed decision links ─────────────────────────────────────────────────────────────────
  const confirmationPage = async (
    res: Response,
    status: number,
    token: string,
    link: { tenantId: string; stepId: string; personId: string },
    preselect: FormDecision,
    problem: string | null,
  ) => {
    const { tenantId, stepId } = link;
    const step = await findApprovalStep(db, tenantId, stepId);
    const request = step.request;
    const target = (request.program ?? request.course)!;
    const open = step.status === 'pending' && request.status === 'pending';
    const details = html`<h2>Renewal of ${what({ kind: request.kind, target, version: request.version })}</h2>
<p class="meta">Requested by ${request.requester.name} · level ${step.level}: ${step.name}</p>
<p><span class="due">Decide by ${dueText(step.dueAt.toISOString())}</span></p>
<div class="why">${request.reason}${request.notes ? html`\n\n${request.notes}` : ''}</div>`;
    if (!open) {
      const state = (request.status === 'pending' ? step.status : request.status).replace('_', ' ');
      return send(res, 409, 'Approval closed', html`<div class="card">${details}<p><strong>This approval is closed (${state}).</strong> Nothing more is needed from you.</p></div>`);
    }
    // Said before any form is offered, so the link is not spent on a refusal.
    const standing = await approverStanding(db, link);
    if (standing !== 'pending') {
      const why =
        standing === 'inactive'
          ? 'You are no longer an active approver, so this decision is no longer yours to make.'
          : standing === 'delegated'
            ? 'You delegated this approval to someone else; they decide it now.'
            : 'This approval was moved to someone else (escalated or re-routed); nothing more is needed from you.';
      return send(res, 409, 'Not yours to decide', html`<div class="card">${details}<p><strong>${why}</strong></p></div>`);
    }
    send(
      res,
      status,
      'Confirm your decision',
      html`${problem ? html`<div class="error" role="alert">${problem}</div>` : null}<div class="card">${details}
<form method="post" action="/approver/act">
<input type="hidden" name="token" value="${token}">
<label for="reason">Reason ${preselect === 'approve' ? '(optional)' : '(required to reject or request changes)'}</label>
<textarea id="reason" name="reason" maxlength="2000"></textarea>
<div class="actions">
${FORM_DECISIONS.filter((d) => d === preselect)
  .concat(FORM_DECISIONS.filter((d) => d !== preselect))
  .map((d) => html`<button class="${d === 'approve' ? 'approve' : d === 'reject' ? 'reject' : 'changes'}" type="submit" name="decision" value="${d}">${d === 'approve' ? 'Confirm approval' : d === 'reject' ? 'Reject' : 'Request changes'}</button>`)}
</div>
</form>
</div>`,
    );
  };

  router.get('/approver/act', async (req, res) => {
    const check = await checkLinkToken(db, settings, req.query.token, 'decision');
    if (!check.ok || !check.token.stepId) return linkProblem(res, check.ok ? 'invalid' : check.problem);
    const preselect = FORM_DECISIONS.includes(req.query.decision as FormDecision) ? (req.query.decision as FormDecision) : 'approve';
    await confirmationPage(res, 200, String(req.query.token), { ...check.token, stepId: check.token.stepId }, preselect, null);
  });

  router.post('/approver/act', async (req, res) => {
    const token = typeof req.body?.token === 'string' ? req.body.token : '';
    const check = await checkLinkToken(db, settings, token, 'decision');
    if (!check.ok || !check.token.stepId) return linkProblem(res, check.ok ? 'invalid' : check.problem);
    const link = { ...check.token, stepId: check.token.stepId };
    const { tenantId, stepId, personId } = link;
    const decision = req.body?.decision as FormDecision;
    const reason = typeof req.body?.reason === 'string' ? req.body.reason.trim().slice(0, 2000) : '';
    if (!FORM_DECISIONS.includes(decision)) return confirmationPage(res, 400, token, link, 'approve', 'Choose approve, reject or request changes.');
    if (decision !== 'approve' && !reason) {
      return confirmationPage(res, 422, token, link, decision, `Please give a reason to ${decision === 'reject' ? 'reject' : 'request changes'}.`);
    }
    if ((await approverStanding(db, link)) !== 'pending') return confirmationPage(res, 409, token, link, decision, null);
    const used = await consumeLinkToken(db, settings, token, 'decision');
    if (!used.ok) return linkProblem(res, used.problem);
    try {
      await submitDecision(db, processes, tenantId, { stepId, actorPersonId: personId, decision, ...(reason ? { reason } : {}), channel: 'email', httpRequestId: req.id });
    } catch (error) {
      const known = decisionError(error);
      if (!known) {
        await releaseLinkToken(db, used.token.id);
        throw error;
      }
      if (known.status >= 500) await releaseLinkToken(db, used.token.id);
      return send(res, known.status, 'Not recorded', html`<div class="error" role="alert">${known.message}</div>`);
    }
    const done = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'changes_requested';
    send(res, 200, 'Recorded', html`<div class="notice" role="status">${NOTICES[done]!}</div><div class="card"><p>Your decision is recorded. You can close this page.</p></div>`);
  });

  return router;
}

/** Whether the link's person may still decide the step: pending, or why not. */
async function approverStanding(db: Db, link: { tenantId: string; stepId: string; personId: string }): Promise<'pending' | 'inactive' | 'delegated' | 'moved'> {
  const [approver, person] = await Promise.all([
    db.approvalStepApprover.findUnique({
      where: { tenantId_stepId_personId: { tenantId: link.tenantId, stepId: link.stepId, personId: link.personId } },
      select: { status: true },
    }),
    db.person.findFirst({ where: { tenantId: link.tenantId, id: link.personId }, select: { status: true } }),
  ]);
  if (person?.status !== 'active') return 'inactive';
  if (approver?.status === 'pending') return 'pending';
  return approver?.status === 'delegated' ? 'delegated' : 'moved';
}

function inboxCard(item: InboxItem, csrf: string): Markup {
  const action = `/approver/approvals/${encodeURIComponent(item.approvalId)}/decision`;
  return html`<article class="card" data-approval-id="${item.approvalId}">
<h2>Renewal of ${what(item)}</h2>
<p class="meta">${item.kind === 'program' ? 'Program' : 'Course'} · requested by ${item.requester.name}</p>
<p class="meta">Level ${item.level} of ${item.levels}: ${item.levelName}</p>
<p><span class="due">Decide by ${dueText(item.dueAt)}</span></p>
<div class="why">${item.reason}${item.notes ? html`\n\n${item.notes}` : ''}</div>
<form method="post" action="${action}">
<input type="hidden" name="csrf" value="${csrf}">
<label for="reason-${item.approvalId}">Reason (required to reject or request changes)</label>
<textarea id="reason-${item.approvalId}" name="reason" maxlength="2000"></textarea>
<div class="actions">
<button class="approve" type="submit" name="decision" value="approve">Approve</button>
<button class="reject" type="submit" name="decision" value="reject">Reject</button>
<button class="changes" type="submit" name="decision" value="request_changes">Request changes</button>
</div>
</form>
</article>`;
}
