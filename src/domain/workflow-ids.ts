/**
 * Deterministic workflow ids, built here and nowhere else: a repeated event or a retried request can
 * never start a second process.
 */
export function onboardingWorkflowId(tenantId: string, personId: string): string {
  return `${onboardingWorkflowIdPrefix(tenantId)}${personId}`;
}

/** What every person's training-process id in a tenant starts with (set-based SQL appends the person id). */
export function onboardingWorkflowIdPrefix(tenantId: string): string {
  return `onboarding:${tenantId}:`;
}

export function renewalWorkflowId(tenantId: string, requestId: string): string {
  return `renewal:${tenantId}:${requestId}`;
}

export function matrixChangeWorkflowId(tenantId: string, operationId: string): string {
  return `matrix-change:${tenantId}:${operationId}`;
}

export function notificationWorkflowId(tenantId: string, notificationId: string): string {
  return `notification:${tenantId}:${notificationId}`;
}

/** One process per document version: a repeated approval event never starts a second one. */
export function documentGapWorkflowId(tenantId: string, documentId: string, version: string): string {
  return `docgap:${tenantId}:${documentId}:${version}`;
}

/** One recertification process per person and certification, for as long as they hold or owe it. */
export function certificationWorkflowId(tenantId: string, certificationId: string, personId: string): string {
  return `certification:${tenantId}:${certificationId}:${personId}`;
}

/** One run per file: the same file (its content hash) imported twice is one run. */
export function importRunWorkflowId(tenantId: string, kind: string, contentHash: string): string {
  return `import:${tenantId}:${kind}:${contentHash}`;
}

/** A connector's Temporal Schedule of pulls; the pulls it starts are `<this>-<scheduled time>` (Temporal appends it). */
export function hcmPullScheduleId(tenantId: string, connectorName: string): string {
  return `hcm-pull:${tenantId}:${connectorName}`;
}

/** The one process that keeps a connector's Schedule in line with its record. */
export function hcmConnectorWorkflowId(tenantId: string, connectorName: string): string {
  return `hcm-connector:${tenantId}:${connectorName}`;
}
