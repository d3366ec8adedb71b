import { Router } from 'express';
import type { Db } from '../../db/client';
import { checkLinkToken, type ApprovalLinkSettings } from '../../services/identity/approval-links';
import { acknowledgementPageUrl } from '../../services/documents/acknowledgements';
import { personCertificates, type PersonCertification } from '../../services/certifications/reading';
import { complianceReport, type ComplianceDocument, type ComplianceItem } from '../../services/onboarding/compliance';
import { courseLaunches, type CourseLaunch } from '../../services/scorm/launches';
import type { PlayerLinkSettings } from '../../services/scorm/player-links';
import { html, page, pageSecurityHeaders, type Markup } from './html';

const STATE: Record<string, string> = {
  compliant: 'You are up to date.',
  due_soon: 'Something is due soon.',
  overdue: 'Something is overdue.',
};

const STATUS: Record<string, string> = {
  assigned: 'to do',
  in_progress: 'in progress',
  overdue: 'overdue',
  completed: 'completed',
  waived: 'waived',
  cancelled: 'cancelled',
  waiting_for_prerequisites: 'after its prerequisites',
};

/**
 * The learner's page: what they owe, by when, and where each item stands — opened from the link in
 * their welcome and reminder e-mails (signed, expiring, reusable; it shows nothing else). Courses
 * trainhub hosts open in the SCORM player from here, resuming where the person left off.
 */
export function learnerPages({ db, settings, player }: { db: Db; settings: ApprovalLinkSettings; player: PlayerLinkSettings }): Router {
  const router = Router();
  router.use('/learner', pageSecurityHeaders);
  const send = (status: number, title: string, body: Markup) => page({ title, heading: 'trainhub training', body });

  router.get('/learner', async (req, res) => {
    const check = await checkLinkToken(db, settings, req.query.token, 'learner');
    if (!check.ok) {
      const text = check.problem === 'expired' ? 'This link has expired. Your next training e-mail carries a fresh one.' : 'This link is not valid. Use the link from your most recent training e-mail.';
      res.status(check.problem === 'expired' ? 410 : 400).type('html').send(send(400, 'Link not usable', html`<div class="card"><h2>This link cannot be used</h2><p>${text}</p></div>`));
      return;
    }
    const [report, launches, certificates] = await Promise.all([
      complianceReport(db, check.token.tenantId, check.token.personId),
      courseLaunches(db, player, '', check.token.tenantId, check.token.personId),
      // Links relative to this page's origin: the verify page is trainhub's own.
      personCertificates(db, check.token.tenantId, check.token.personId, ''),
    ]);
    const held = certificates.certifications.filter((c) => c.certificates.some((certificate) => certificate.status === 'valid' || certificate.status === 'expired'));
    const item = (i: ComplianceItem) => itemCard(i, OPEN.has(i.status) && i.status !== 'waiting_for_prerequisites' ? (launches.get(i.program.key) ?? []) : []);
    const open = report.items.filter((i) => OPEN.has(i.status));
    const openDocuments = report.documents.filter((d) => d.status === 'open');
    const done = report.items.filter((i) => !open.includes(i));
    res
      .status(200)
      .type('html')
      .send(
        send(
          200,
          'Your training',
          html`<p class="meta">${report.person.name}</p>
<div class="${report.state === 'compliant' ? 'notice' : 'error'}" role="status">${STATE[report.state] ?? ''}</div>
${open.length === 0 ? html`<div class="card empty">Nothing is waiting for you.</div>` : open.map(item)}
${openDocuments.length > 0 ? html`<h2 class="meta">Controlled documents</h2>${openDocuments.map((d) => documentCard(d, acknowledgementPageUrl('', req.query.token as string, d.versionId)))}` : null}
${held.length > 0 ? html`<h2 class="meta">Your certificates</h2>${held.map(certificateCard)}` : null}
${done.length > 0 ? html`<h2 class="meta">Done</h2>${done.map(item)}` : null}`,
        ),
      );
  });
  return router;
}

const OPEN = new Set(['assigned', 'in_progress', 'overdue', 'waiting_for_prerequisites']);

const ACTION: Record<string, string> = { open: 'Resume', completed: 'Take again', failed: 'Try again' };

function itemCard(i: ComplianceItem, courses: readonly CourseLaunch[]): Markup {
  const playable = courses.filter((c) => c.launchUrl !== null);
  return html`<article class="card">
<h2>${i.program.title}</h2>
<p class="meta">${i.completedAt ? `completed ${i.completedAt.slice(0, 10)}` : (STATUS[i.status] ?? i.status)}${i.mandatory ? '' : ' · optional'}</p>
${i.dueDate && !i.completedAt ? html`<p><span class="due">Due ${i.dueDate}</span></p>` : null}
${i.waitingFor.length > 0 ? html`<p class="meta">Comes after: ${i.waitingFor.join(', ')}</p>` : null}
${playable.length > 0 ? html`<ul class="courses">${playable.map((c) => html`<li><span>${c.title}${c.attempt?.state === 'completed' ? ' ✓' : ''}</span> <a class="launch" href="${c.launchUrl}">${c.attempt ? ACTION[c.attempt.state] : 'Start'}</a></li>`)}</ul>` : null}
</article>`;
}

function documentCard(d: ComplianceDocument, acknowledgeUrl: string): Markup {
  return html`<article class="card">
<h2>${d.title}</h2>
<p class="meta">version ${d.version} · ${d.training === 'acknowledgement' ? 'read and acknowledge' : `take its ${d.training}`}</p>
<p><span class="due">Due ${d.dueDate}</span></p>
${d.training === 'acknowledgement' ? html`<ul class="courses"><li><span>Read and understood</span> <a class="launch" href="${acknowledgeUrl}">Open</a></li></ul>` : null}
</article>`;
}

/** The certificate in force of one certification (the newest neither superseded nor revoked), with its public verify page. */
function certificateCard(c: PersonCertification): Markup {
  const current = c.certificates.find((certificate) => certificate.status === 'valid' || certificate.status === 'expired')!;
  return html`<article class="card">
<h2>${c.certification.title}</h2>
<p class="meta">No. ${current.number} · ${current.status === 'valid' ? `valid, expires ${current.expiresOn}` : `expired on ${current.expiresOn}`}</p>
<ul class="courses"><li><span>Verify</span> <a class="launch" href="${current.verifyUrl}">Open</a></li>${current.pdfUrl ? html`<li><span>PDF</span> <a class="launch" href="${current.pdfUrl}">Download</a></li>` : null}</ul>
</article>`;
}
