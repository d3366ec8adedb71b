/** A minimal JSON client over fetch, so tests read like the calls an integrator makes. */
export interface JsonResponse<T = any> {
  status: number;
  body: T;
}

export function apiClient(baseUrl: string, apiKey?: string) {
  const call = async (method: string, path: string, body?: unknown, raw?: string): Promise<JsonResponse> => {
    const headers: Record<string, string> = {};
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown) => call('POST', path, body),
    postRaw: (path: string, raw: string) => call('POST', path, undefined, raw),
    put: (path: string, body?: unknown) => call('PUT', path, body),
    patch: (path: string, body?: unknown) => call('PATCH', path, body),
    delete: (path: string) => call('DELETE', path),
  };
}
