import { createHash } from 'node:crypto';
import { Router, type RequestHandler, type Response } from 'express';
import type { Db } from '../../db/client';
import { verifiedCertificatePdf, verifyCertificate, type VerifiedCertificate } from '../../services/certifications/certificates';
import { html, Markup, page } from './html';

/**
 * In the browser: the SHA-256 of a PDF the visitor picks (it never leaves their machine), compared
 * with the fingerprint of the PDF as issued. A copy changed in any byte does not match.
 */
const CHECK_SCRIPT = `(function () {
  var input = document.getElementById('copy');
  var out = document.getElementById('copy-result');
  if (!input || !out) return;
  var expected = input.getAttribute('data-sha256');
  function show(kind, text) { out.className = 'check ' + kind; out.textContent = text; out.hidden = false; }
  input.addEventListener('change', function () {
    var file = input.files && input.files[0];
    if (!file) return;
    if (!window.crypto || !window.crypto.subtle || !file.arrayBuffer) { show('unknown', 'This browser cannot compute the fingerprint of a file.'); return; }
    show('unknown', 'Checking…');
    file.arrayBuffer().then(function (bytes) { return window.crypto.subtle.digest('SHA-256', bytes); }).then(function (digest) {
      var hex = Array.prototype.map.call(new Uint8Array(digest), function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
      if (hex === expected) show('match', 'This PDF matches the certificate as issued.');
      else show('mismatch', 'This PDF does not match the certificate as issued: it is another file, or it was altered. Its SHA-256 is ' + hex + '.');
    }, function () { show('unknown', 'The file could not be read.'); });
  });
})();`;

const CHECK_SCRIPT_HASH = `'sha256-${createHash('sha256').update(CHECK_SCRIPT).digest('base64')}'`;

/** The verify page runs exactly its one script (by hash); nothing else loads, nothing frames it, nothing is cached or referred. */
const verifySecurityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'content-security-policy': `default-src 'none'; script-src ${CHECK_SCRIPT_HASH}; style-src 'unsafe-inline'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-robots-tag': 'noindex',
  });
  next();
};

const STYLE = new Markup(`<style>
.status{border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem;font-weight:600}
.status.valid{background:#dcfce7;color:#14532d}
.status.expired,.status.superseded{background:#fef3c7;color:#78350f}
.status.revoked{background:#fee2e2;color:#7f1d1d}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:.5rem 0}
dl.facts dt{color:#4b5563;font-size:.9rem}
dl.facts dd{margin:0;font-weight:600}
.fingerprint{font-family:ui-monospace,monospace;font-size:.85rem;word-break:break-all}
.check{border-radius:.5rem;padding:.6rem .8rem;margin:.6rem 0 0}
.check.match{background:#dcfce7;color:#14532d}
.check.mismatch{background:#fee2e2;color:#7f1d1d}
.check.unknown{background:#f3f4f6;color:#111827}
input[type=file]{font:inherit;max-width:100%}
</style>`);

function statusLine(certificate: VerifiedCertificate): Markup {
  switch (certificate.status) {
    case 'valid':
      return html`<div class="status valid" role="status" data-status="valid">Valid: this certificate is in force until ${certificate.expiresOn}.</div>`;
    case 'expired':
      return html`<div class="status expired" role="status" data-status="expired">Expired: this certificate expired on ${certificate.expiresOn}.</div>`;
    case 'revoked':
      return html`<div class="status revoked" role="status" data-status="revoked">Revoked on ${certificate.revocation?.revokedOn ?? ''}: this certificate is no longer valid.${
        certificate.revocation?.reason ? html` Reason: <span class="reason">${certificate.revocation.reason}</span>` : ''
      }</div>`;
    case 'superseded': {
      const next = certificate.supersededBy;
      return html`<div class="status superseded" role="status" data-status="superseded">Superseded: this certificate was replaced${
        next ? html` by certificate <span class="successor">${next.number}</span>, issued on ${next.issuedOn}, expiring on ${next.expiresOn}` : ''
      }. It is no longer the one in force.</div>`;
    }
  }
}

function certificatePage(certificate: VerifiedCertificate): Markup {
  const pdfPath = `/verify/${encodeURIComponent(certificate.verificationCode)}/certificate.pdf`;
  return html`${STYLE}${statusLine(certificate)}
<article class="card">
<h2>${certificate.certificationTitle}</h2>
<dl class="facts">
<dt>Holder</dt><dd class="holder">${certificate.holderName}</dd>
<dt>Certification</dt><dd class="certification">${certificate.certificationTitle}</dd>
<dt>Issued by</dt><dd>${certificate.issuerName}</dd>
<dt>Number</dt><dd class="number">${certificate.number}</dd>
<dt>Issued on</dt><dd class="issued-on">${certificate.issuedOn}</dd>
<dt>Expires on</dt><dd class="expires-on">${certificate.expiresOn}</dd>
<dt>Verification code</dt><dd>${certificate.verificationCode}</dd>
</dl>
<p class="meta">Status as of ${certificate.today}.</p>
</article>
${
  certificate.pdfSha256
    ? html`<article class="card">
<h2>The certificate as issued</h2>
<p><a class="launch" href="${pdfPath}">Download the PDF</a></p>
<p class="meta">Its SHA-256 fingerprint:</p>
<p class="fingerprint">${certificate.pdfSha256}</p>
<label for="copy">Check a copy you were given</label>
<input id="copy" type="file" accept="application/pdf,.pdf" data-sha256="${certificate.pdfSha256}">
<p class="meta">The file is checked in your browser; it is not uploaded.</p>
<div id="copy-result" class="check" role="status" aria-live="polite" hidden></div>
</article>
<script>${new Markup(CHECK_SCRIPT)}</script>`
    : html`<p class="meta">This certificate was recorded from an earlier system; there is no PDF of it here.</p>`
}`;
}

/**
 * The public verify page a certificate's QR code and e-mail lead to: anyone holding the code sees
 * the holder, the certification, the dates and the status today (valid, expired, revoked with the
 * reason, superseded by which certificate), can download the PDF as issued, and can check that a copy
 * is unaltered. No sign-in (public by design): the codes are unguessable and the routes rate-limited.
 */
export function verifyPages({ db }: { db: Db }): Router {
  const router = Router();
  router.use('/verify', verifySecurityHeaders);
  const send = (res: Response, status: number, title: string, body: Markup) => {
    res.status(status).type('html').send(page({ title, heading: 'Certificate verification', body }));
  };
  const unknown = (res: Response) =>
    send(res, 404, 'Not found', html`<div class="card"><h2>No such certificate</h2><p>No certificate has this verification code. Check the code, or scan the QR code on the certificate again.</p></div>`);

  router.get('/verify/:code', async (req, res) => {
    const certificate = await verifyCertificate(db, req.params.code);
    if (!certificate) return unknown(res);
    send(res, 200, `Certificate ${certificate.number}`, certificatePage(certificate));
  });

  router.get('/verify/:code/certificate.pdf', async (req, res) => {
    const found = await verifiedCertificatePdf(db, req.params.code);
    if (!found) return unknown(res);
    res
      .status(200)
      .set({ 'content-disposition': `attachment; filename="${found.fileName}"`, 'content-security-policy': "default-src 'none'; sandbox" })
      .type('application/pdf')
      .send(Buffer.from(found.pdf));
  });

  return router;
}
