/**
 * An LRS client as an LMS or content uses one: HTTP Basic with its key and secret, the xAPI version
 * header, JSON in and out (or raw bodies when a test needs them).
 */
export interface LrsResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export function lrsClient(baseUrl: string, credentials: { key: string; secret: string }, version = '1.0.3') {
  const authorization = `Basic ${Buffer.from(`${credentials.key}:${credentials.secret}`).toString('base64')}`;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<LrsResponse> => {
    const raw = body === undefined ? undefined : Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(`${baseUrl}/xapi${path}`, {
      method,
      headers: {
        authorization,
        'x-experience-api-version': version,
        ...(raw !== undefined && !Buffer.isBuffer(body) && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: raw,
    });
    const text = await response.text();
    const json = (response.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, body: json };
  };
  return {
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => call('POST', path, body, headers),
    put: (path: string, body?: unknown, headers?: Record<string, string>) => call('PUT', path, body, headers),
    delete: (path: string, headers?: Record<string, string>) => call('DELETE', path, undefined, headers),
    raw: call,
  };
}

/** A statement as content sends it: `overrides` replace whole top-level properties. */
export function statement(overrides: Record<string, unknown> = {}) {
  return {
    actor: { objectType: 'Agent', name: 'Ada Lovelace', mbox: 'mailto:ada@example.com' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } },
    object: { objectType: 'Activity', id: 'https://example.com/activities/intro', definition: { name: { 'en-US': 'Introduction' } } },
    ...overrides,
  };
}

export const verbs = {
  completed: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
  passed: { id: 'http://adlnet.gov/expapi/verbs/passed', display: { 'en-US': 'passed' } },
  failed: { id: 'http://adlnet.gov/expapi/verbs/failed', display: { 'en-US': 'failed' } },
  voided: { id: 'http://adlnet.gov/expapi/verbs/voided', display: { 'en-US': 'voided' } },
};

export const query = (params: Record<string, unknown>) =>
  `?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === "string" ? v : JSON.stringify(v)])).toString()}`;
