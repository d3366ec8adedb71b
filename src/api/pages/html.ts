import type { RequestHandler } from 'express';

/**
 * Server-rendered pages without a front-end build: an `html` template tag that escapes every
 * interpolated value unless it is itself markup built by `html`.
 */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

type Interpolation = Markup | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(value);
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Markup {
  return new Markup(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]!) : ''), ''));
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f4f6;color:#111827;overflow-wrap:anywhere}
header{background:#1e3a8a;color:#fff;padding:.75rem 1rem;display:flex;justify-content:space-between;align-items:center;gap:.5rem}
header h1{font-size:1.1rem;margin:0}
header form{margin:0}
header button{background:transparent;border:1px solid #93c5fd;color:#fff;padding:.3rem .7rem;border-radius:.4rem;font-size:.85rem}
main{max-width:40rem;margin:0 auto;padding:1rem}
.card{background:#fff;border-radius:.75rem;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:1rem;margin:0 0 1rem}
.card h2{font-size:1.1rem;margin:0 0 .25rem}
.meta{color:#4b5563;font-size:.9rem;margin:.1rem 0}
.due{display:inline-block;background:#fef3c7;color:#92400e;border-radius:999px;padding:.1rem .6rem;font-size:.8rem;font-weight:600}
.why{margin:.6rem 0;padding:.5rem .75rem;background:#f9fafb;border-left:3px solid #93c5fd;white-space:pre-wrap}
label{display:block;font-weight:600;margin:.75rem 0 .25rem;font-size:.9rem}
textarea,input[type=email]{width:100%;font:inherit;padding:.5rem;border:1px solid #d1d5db;border-radius:.5rem}
textarea{min-height:4.5rem}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.75rem}
button{font:inherit;border:0;border-radius:.5rem;padding:.7rem 1rem;min-height:44px;cursor:pointer}
.approve{background:#15803d;color:#fff;flex:1 1 100%}
.reject{background:#b91c1c;color:#fff;flex:1}
.changes{background:#e5e7eb;color:#111827;flex:1}
.primary{background:#1d4ed8;color:#fff;width:100%}
.notice{background:#dcfce7;color:#14532d;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}
.error{background:#fee2e2;color:#7f1d1d;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}
.empty{text-align:center;color:#4b5563;padding:2rem 1rem}
.courses{list-style:none;margin:.6rem 0 0;padding:0}
.courses li{display:flex;justify-content:space-between;align-items:center;gap:.5rem;padding:.35rem 0;border-top:1px solid #e5e7eb}
.launch{background:#1d4ed8;color:#fff;border-radius:.5rem;padding:.55rem 1rem;min-height:44px;display:inline-flex;align-items:center;text-decoration:none;font-weight:600}
`;

export function page(input: { title: string; heading?: string; body: Markup; signOutCsrf?: string }): string {
  const signOut = input.signOutCsrf
    ? html`<form method="post" action="/approver/sign-out"><input type="hidden" name="csrf" value="${input.signOutCsrf}"><button type="submit">Sign out</button></form>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${input.title} · trainhub</title>
<style>${new Markup(STYLE)}</style>
</head>
<body>
<header><h1>${input.heading ?? 'trainhub approvals'}</h1>${signOut}</header>
<main>
${input.body}
</main>
</body>
</html>
`.text;
}

/**
 * Headers for every approver page: no scripts at all, no framing, forms post only here, nothing
 * cached, and no Referer that could carry a link's token elsewhere.
 */
export const pageSecurityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  next();
};
