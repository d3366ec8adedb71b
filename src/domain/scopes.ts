/** What an API key may do. A system gets only the scopes its integration needs. */
export const SCOPES = ['hr:write', 'completions:write', 'people:read', 'assignments:write', 'catalog:read', 'catalog:write',
  'renewals:read', 'renewals:write', 'approval-chains:write', 'approvals:read', 'approvals:write', 'audit:read'] as const;
export type Scope = (typeof SCOPES)[number];
