/**
 * What a browser does with trainhub's SCORM player, over plain HTTP: import a package, open a launch
 * link (reading the session the page hands to player-client.js), and post commits as scorm-again
 * does — JSON, or JSON as text/plain the way navigator.sendBeacon sends the last one.
 */
export async function uploadPackage(baseUrl: string, apiKey: string, courseKey: string, zip: Buffer) {
  const response = await fetch(`${baseUrl}/api/v1/courses/${courseKey}/scorm-packages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/zip' },
    body: zip,
  });
  const body = (await response.json()) as any;
  if (response.status !== 201) throw new Error(`import failed: ${response.status} ${JSON.stringify(body)}`);
  return body as { id: string; version: number };
}

export interface PlayerSession {
  status: number;
  headers: Headers;
  html: string;
  token: string;
  cmi: Record<string, any>;
  contentUrl: string;
  /** The content cookie the page set, as a Cookie header value. */
  cookie: string;
  /** The table of contents' links, by item title. */
  links: Map<string, string>;
}

/** Opens a launch link (or a table-of-contents link) the way the browser does. */
export async function openPlayer(baseUrl: string, url: string): Promise<PlayerSession> {
  const response = await fetch(url.replace(/^https?:\/\/[^/]+/, baseUrl));
  const html = await response.text();
  const json = /<script type="application\/json" id="scorm-launch">([^<]*)<\/script>/.exec(html)?.[1];
  const launch = json ? JSON.parse(json) : { token: '', cmi: {}, contentUrl: '' };
  const links = new Map([...html.matchAll(/<li><a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => [m[2]!, `${baseUrl}${m[1]!.replace(/&amp;/g, '&')}`]));
  return { status: response.status, headers: response.headers, html, token: launch.token, cmi: launch.cmi, contentUrl: launch.contentUrl, cookie: (response.headers.get('set-cookie') ?? '').split(';')[0]!, links };
}

export async function commit(baseUrl: string, token: string, seq: number, cmi: unknown, options: { terminated?: boolean; beacon?: boolean } = {}) {
  const response = await fetch(`${baseUrl}/scorm/commits`, {
    method: 'POST',
    headers: { 'content-type': options.beacon ? 'text/plain;charset=UTF-8' : 'application/json;charset=UTF-8' },
    body: JSON.stringify({ token, seq, terminated: options.terminated ?? false, cmi }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** Waits for something the system does on its own (a beacon landing, a process finishing) by asking again. */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 200; i++) {
    last = await probe();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} never happened; last seen ${JSON.stringify(last)}`);
}
