import { html, Markup } from '../../api/pages/html';
import type { ScormItem, ScormVersion } from './manifest';

export interface PlayerPageInput {
  courseTitle: string;
  version: ScormVersion;
  item: ScormItem;
  /** The table of contents: the items that launch something, the one playing, those done. */
  contents: { item: ScormItem; current: boolean; done: boolean }[];
  /** What player-client.js reads: where to commit, with which token, the CMI to start from, the content's URL. */
  launch: {
    version: ScormVersion;
    commitUrl: string;
    token: string;
    cmi: object;
    contentUrl: string;
    /** Where SCORM 2004 navigation requests (adl.nav.request continue / previous / choice / jump) lead. */
    navigation: { next: string | null; previous: string | null; items: Record<string, string> };
  };
}

const STYLE = `
*{box-sizing:border-box}
html,body{height:100%;margin:0}
body{display:flex;flex-direction:column;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#111827}
header{background:#1e3a8a;color:#fff;padding:.4rem .75rem;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
header h1{font-size:1rem;margin:0;flex:1 1 12rem}
nav{display:flex;gap:.4rem;align-items:center;flex-wrap:wrap}
nav a{color:#fff;background:#1d4ed8;border-radius:.4rem;padding:.45rem .8rem;text-decoration:none;min-height:36px;display:inline-flex;align-items:center}
nav a[aria-disabled=true]{opacity:.4;pointer-events:none}
details{color:#fff}
details ol{margin:.3rem 0;padding-left:1.2rem}
details a{color:#bfdbfe}
details a[aria-current=page]{font-weight:700;color:#fff}
iframe{flex:1;border:0;width:100%;background:#fff}
`;

/** JSON inside a script element: `<` escaped so no value can close the element. */
function scriptJson(value: unknown): Markup {
  return new Markup(JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029'));
}

/**
 * The player: scorm-again's API is created by player-client.js before the content frame loads, so
 * content that looks for `API` / `API_1484_11` in its parent finds it. Multi-SCO courses get a
 * table of contents with previous / next.
 */
export function playerPage(input: PlayerPageInput): string {
  const { previous, next, items } = input.launch.navigation;
  const runtime = input.version === '1.2' ? 'scorm12.min.js' : 'scorm2004.min.js';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${input.courseTitle}</title><style>${new Markup(STYLE)}</style></head>
<body>
<header><h1>${input.courseTitle}${input.contents.length > 1 ? html` · ${input.item.title}` : null}</h1>
${
  input.contents.length > 1
    ? html`<nav aria-label="Course contents">
<a href="${previous ?? '#'}" rel="prev" aria-disabled="${previous ? 'false' : 'true'}">Previous</a>
<details><summary>Contents</summary><ol>${input.contents.map((c) => html`<li><a href="${items[c.item.identifier]}"${c.current ? html` aria-current="page"` : null}>${c.item.title}</a>${c.done ? ' ✓' : ''}</li>`)}</ol></details>
<a href="${next ?? '#'}" rel="next" aria-disabled="${next ? 'false' : 'true'}">Next</a>
</nav>`
    : null
}
</header>
<iframe id="scorm-content" title="${input.item.title}" allow="fullscreen; autoplay"></iframe>
<script type="application/json" id="scorm-launch">${scriptJson(input.launch)}</script>
<script src="/scorm/assets/${runtime}"></script>
<script src="/scorm/assets/player-client.js"></script>
</body></html>`.text;
}
