/** What an API key may do. A system gets only the scopes its integration needs. */
export const SCOPES = ['hr:write', 'completions:write', 'people:read'] as const;
export type Scope = (typeof SCOPES)[number];
