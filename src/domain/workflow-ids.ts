/** Deterministic workflow ids: a repeated event or a retried request can never start a second process. */
export function onboardingWorkflowId(tenantId: string, personId: string): string {
  return `onboarding:${tenantId}:${personId}`;
}

export function renewalWorkflowId(tenantId: string, requestId: string): string {
  return `renewal:${tenantId}:${requestId}`;
}
