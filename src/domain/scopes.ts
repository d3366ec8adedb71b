/**
 * What an API key may do. A system gets only the scopes its integration needs.
 * `approvals:act-for-approvers` lets a system (a portal, a chat bot) decide approval steps on behalf
 * of any approver of the tenant: a delegation, recorded with the key in every decision's audit entry.
 * `imports:write` sends HR and LMS files (and edits import profiles), follows their runs and confirms
 * or cancels a guarded one; reading profiles needs only `catalog:read`.
 */
export const SCOPES = ['hr:write', 'completions:write', 'people:read', 'assignments:write', 'catalog:read', 'catalog:write',
  'renewals:read', 'renewals:write', 'approval-chains:write', 'approvals:read', 'approvals:act-for-approvers', 'audit:read',
  'api-keys:read', 'api-keys:write', 'documents:write', 'certifications:write', 'imports:write'] as const;
export type Scope = (typeof SCOPES)[number];
