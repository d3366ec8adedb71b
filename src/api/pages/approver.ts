import express, { Router, type Request, type Response } from 'express';
import type { Db } from '../../db/client';
import { DomainError } from '../../domain/errors';
import { listInbox, findApprovalStep, type InboxItem } from '../../services/renewals/approvals';
import {
  checkLinkToken,
  consumeLinkToken,
  createSessionValue,
  csrfToken,
  csrfTokenMatches,
  readSessionValue,
  releaseLinkToken,
  SESSION_COOKIE,
  type ApprovalLinkSettings,
  type ApproverSession,
  type LinkProblem,
} from '../../services/identity/approval-links';
import type { Processes } from '../../temporal/processes';
import { submitDecision } from '../../services/renewals/decisions';
import { html, page, pageSecurityHeaders, type Markup } from './html';

export interface ApproverPageDeps {
  db: Db;
  processes: Processes;
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
export function approverPages({ db, processes, settings, publicUrl }: ApproverPageDeps): Router {
  const router = Router();
  const secureCookie = publicUrl.startsWith('https://');
  router.use('/approver', pageSecurityHeaders, express.urlencoded({ extended: false, limit: '20kb' }));

  const send = (res: Response, status: number, title: string, body: Markup, signOutCsrf?: string) => {
    res.status(status).type('html').send(page({ title, body, ...(signOutCsrf ? { signOutCsrf } : {}) }));
  };
  const linkProblem = (res: Response, problem: LinkProblem) => {
    const { status, text } = LINK_PROBLEMS[problem];
    send(res, status, 'Link not usable', html`<div class="card"><h2>This link cannot be used</h2><p>${text}</p></div>`);
  };

  const cookieValue = (req: Request): string | undefined => {
    const header = req.get('cookie') ?? '';
    for (const part of header.split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name === SESSION_COOKIE) return decodeURIComponent(rest.join('='));
    }
    return undefined;
  };

  /** The signed-in approver, if their session is valid and they are still active. */
  const signedIn = async (req: Request): Promise<{ session: ApproverSession; value: string; name: string } | null> => {
    const value = cookieValue(req);
    const session = readSessionValue(settings, value);
    if (!session || !value) return null;
    const person = await db.person.findFirst({ where: { tenantId: session.tenantId, id: session.personId, status: 'active' }, select: { name: true } });
    return person ? { session, value, name: person.name } : null;
  };

  const signedOut = (res: Response) =>
    send(
      res,
      401,
      'Sign in',
      html`<div class="card"><h2>Please sign in</h2><p>Open the “All your pending approvals” link in your most recent approval e-mail to see your inbox.</p></div>`,
    );

  // ─── Sign-in ─────────────────────────────────────────────────────────────────────────────────
  router.get('/approver/sign-in', async (req, res) => {
    const check = await checkLinkToken(db, settings, req.query.token, 'sign_in');
    if (!check.ok) return linkProblem(res, check.problem);
    const person = await db.person.findFirst({ where: { tenantId: check.token.tenantId, id: check.token.personId }, select: { name: true } });
    send(
      res,
      200,
      'Sign in',
      html`<div class="card">
<h2>Hello ${person?.name ?? ''}</h2>
<p>Continue to see the approvals waiting for you.</p>
<form method="post" action="/approver/sign-in">
<input type="hidden" name="token" value="${String(req.query.token)}">
<button class="primary" type="submit">Open my approvals</button>
</form>
</div>`,
    );
  });

  router.post('/approver/sign-in', async (req, res) => {
    const used = await consumeLinkToken(db, settings, req.body?.token, 'sign_in');
    if (!used.ok) return linkProblem(res, used.problem);
    const { value, expiresAt } = createSessionValue(settings, used.token.tenantId, used.token.personId);
    res.cookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: secureCookie, path: '/approver', expires: expiresAt });
    res.redirect(303, '/approver/inbox');
  });

  router.post('/approver/sign-out', async (req, res) => {
    const value = cookieValue(req);
    if (value && !csrfTokenMatches(settings, value, req.body?.csrf)) return send(res, 403, 'Not allowed', html`<div class="error">This form has expired; reload the page.</div>`);
    res.clearCookie(SESSION_COOKIE, { path: '/approver' });
    send(res, 200, 'Signed out', html`<div class="card"><h2>Signed out</h2><p>You can close this page.</p></div>`);
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
  const confirmationPage = async (res: Response, status: number, token: string, tenantId: string, stepId: string, preselect: FormDecision, problem: string | null) => {
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
    await confirmationPage(res, 200, String(req.query.token), check.token.tenantId, check.token.stepId, preselect, null);
  });

  router.post('/approver/act', async (req, res) => {
    const token = typeof req.body?.token === 'string' ? req.body.token : '';
    const check = await checkLinkToken(db, settings, token, 'decision');
    if (!check.ok || !check.token.stepId) return linkProblem(res, check.ok ? 'invalid' : check.problem);
    const { tenantId, stepId, personId } = { ...check.token, stepId: check.token.stepId };
    const decision = req.body?.decision as FormDecision;
    const reason = typeof req.body?.reason === 'string' ? req.body.reason.trim().slice(0, 2000) : '';
    if (!FORM_DECISIONS.includes(decision)) return confirmationPage(res, 400, token, tenantId, stepId, 'approve', 'Choose approve, reject or request changes.');
    if (decision !== 'approve' && !reason) {
      return confirmationPage(res, 422, token, tenantId, stepId, decision, `Please give a reason to ${decision === 'reject' ? 'reject' : 'request changes'}.`);
    }
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
