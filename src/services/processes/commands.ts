import type { DbTx } from '../../db/client';
import { certificationWorkflowId, documentGapWorkflowId, importRunWorkflowId, matrixChangeWorkflowId, notificationWorkflowId, onboardingWorkflowId, onboardingWorkflowIdPrefix } from '../../domain/workflow-ids';
import { certificationChangedSignal, type CertificationInput } from '../../workflows/certification';
import { documentChangedSignal, type DocumentGapInput } from '../../workflows/document-gap';
import { importConfirmedSignal, type ImportRunInput } from '../../workflows/import-run';
import type { MatrixChangeInput } from '../../workflows/matrix-change';
import type { NotificationInput } from '../../workflows/notification';
import { completionRecordedSignal, personChangedSignal, personTerminatedSignal, type OnboardingInput } from '../../workflows/onboarding';
import { rerouteSignal, type RenewalInput } from '../../workflows/renewal';

/**
 * Process commands: the durable intent to start or signal a workflow, written in the same transaction
 * as the records that call for it (never "commit, then call Temporal"). The dispatcher
 * (src/temporal/dispatcher.ts) delivers them. The workflow types and signal names here are those
 * that src/workflows registers.
 */
export type WorkflowType = 'onboarding' | 'renewal' | 'matrixChange' | 'notification' | 'documentGap' | 'certification' | 'importRun' | 'hcmConnectorSync';

export interface ProcessCommand {
  tenantId: string;
  workflowId: string;
  workflowType: WorkflowType;
  action: 'start' | 'signal' | 'signal_with_start';
  /** The workflow's input (start, signal_with_start). */
  args?: unknown[];
  signal?: { name: string; args: unknown[] };
  /** start: a new run may begin after an earlier one under this id closed (a rehire). */
  startAgain?: boolean;
  /** 0 for single changes; bulk fan-outs use BULK so they never hold up a hire. */
  priority?: number;
  operationId?: string;
}

export const BULK = 1;

/**
 * Writes the commands with the caller's transaction and returns their ids, in order. `taskQueue` is
 * where their processes run (the deployment's queue): the dispatchers of that queue deliver them.
 */
export async function queueProcessCommands(tx: DbTx, taskQueue: string, commands: readonly ProcessCommand[]): Promise<bigint[]> {
  if (commands.length === 0) return [];
  // One statement with one JSON parameter, however many commands (a batch's wake-ups are hundreds).
  const rows = JSON.stringify(
    commands.map((c, position) => ({
      position,
      tenant_id: c.tenantId,
      workflow_id: c.workflowId,
      workflow_type: c.workflowType,
      action: c.action,
      args: c.args ?? null,
      signal_name: c.signal?.name ?? null,
      signal_args: c.signal?.args ?? null,
      start_again: c.startAgain ?? false,
      priority: c.priority ?? 0,
      operation_id: c.operationId ?? null,
    })),
  );
  const ids = await tx.$queryRaw<{ id: bigint }[]>`
    INSERT INTO process_command (tenant_id, workflow_id, workflow_type, task_queue, action, args, signal_name, signal_args, start_again, priority, operation_id)
    SELECT c.tenant_id, c.workflow_id, c.workflow_type, ${taskQueue}, c.action::"ProcessCommandAction", c.args, c.signal_name, c.signal_args,
           c.start_again, c.priority, c.operation_id
      FROM json_to_recordset(${rows}::json)
           AS c(position int, tenant_id uuid, workflow_id text, workflow_type text, action text, args jsonb, signal_name text, signal_args jsonb,
                start_again boolean, priority smallint, operation_id uuid)
     ORDER BY c.position
    RETURNING id`;
  return ids.map((row) => row.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// ─── What each record change asks of the processes ─────────────────────────────────────────────

/**
 * The person's training process re-reads what they owe: a hire (with a welcome, once per process),
 * a transfer, leave or return, a waiver, a matrix change. One that had ended starts again — a rehire,
 * or new training for someone who had finished everything.
 */
export function wakeTrainingProcess(tenantId: string, personId: string, options: { welcome?: boolean } = {}): ProcessCommand {
  const input: OnboardingInput = { tenantId, personId, welcome: options.welcome ?? false };
  return {
    tenantId,
    workflowId: onboardingWorkflowId(tenantId, personId),
    workflowType: 'onboarding',
    action: 'signal_with_start',
    args: [input],
    signal: { name: personChangedSignal.name, args: [] },
  };
}

/** A completion was recorded: the process looks at it, and one that had ended starts again. */
export function tellTrainingProcessOfCompletion(tenantId: string, personId: string, completionId: string): ProcessCommand {
  return { ...wakeTrainingProcess(tenantId, personId), signal: { name: completionRecordedSignal.name, args: [{ completionId }] } };
}

/** A termination: a running training process ends; none is started. */
export function endTrainingProcess(tenantId: string, personId: string): ProcessCommand {
  return { tenantId, workflowId: onboardingWorkflowId(tenantId, personId), workflowType: 'onboarding', action: 'signal', signal: { name: personTerminatedSignal.name, args: [] } };
}

export function startRenewalProcess(input: RenewalInput, workflowId: string): ProcessCommand {
  return { tenantId: input.tenantId, workflowId, workflowType: 'renewal', action: 'start', args: [input] };
}

/** An HR change moved these people: the renewal's waiting step re-resolves its approvers. */
export function rerouteRenewalProcess(tenantId: string, workflowId: string, personIds: string[]): ProcessCommand {
  return { tenantId, workflowId, workflowType: 'renewal', action: 'signal', signal: { name: rerouteSignal.name, args: [{ personIds }] } };
}

/** A message queued outside any process (e.g. a sign-in link asked for on a page): its delivery is a small process of its own. */
export function sendNotificationProcess(tenantId: string, notificationId: string): ProcessCommand {
  const input: NotificationInput = { tenantId, notificationId };
  return { tenantId, workflowId: notificationWorkflowId(tenantId, notificationId), workflowType: 'notification', action: 'start', args: [input] };
}

export function startMatrixChangeProcess(tenantId: string, operationId: string): ProcessCommand {
  const input: MatrixChangeInput = { tenantId, operationId };
  return { tenantId, workflowId: matrixChangeWorkflowId(tenantId, operationId), workflowType: 'matrixChange', action: 'start', args: [input], operationId };
}

/** A file was received: its import run (one per tenant, kind and content hash) begins. */
export function startImportRunProcess(tenantId: string, runId: string, kind: string, contentHash: string): ProcessCommand {
  const input: ImportRunInput = { tenantId, runId };
  return { tenantId, workflowId: importRunWorkflowId(tenantId, kind, contentHash), workflowType: 'importRun', action: 'start', args: [input] };
}

/** A guarded import run was confirmed or cancelled: its process looks at the run again. */
export function tellImportRunProcess(tenantId: string, workflowId: string): ProcessCommand {
  return { tenantId, workflowId, workflowType: 'importRun', action: 'signal', signal: { name: importConfirmedSignal.name, args: [] } };
}

/**
 * wakeTrainingProcess for many people in one statement (a bulk change's fan-out): the dispatcher
 * delivers them with bounded concurrency. Returns how many were queued.
 */
export async function queueTrainingWakeUps(
  tx: DbTx,
  taskQueue: string,
  tenantId: string,
  personIds: readonly string[],
  operationId: string | null,
  priority = BULK,
): Promise<number> {
  if (personIds.length === 0) return 0;
  return tx.$executeRaw`
    INSERT INTO process_command (tenant_id, workflow_id, workflow_type, task_queue, action, args, signal_name, signal_args, priority, operation_id)
    SELECT ${tenantId}::uuid, ${onboardingWorkflowIdPrefix(tenantId)} || p.id, 'onboarding', ${taskQueue}, 'signal_with_start',
           jsonb_build_array(jsonb_build_object('tenantId', ${tenantId}::text, 'personId', p.id::text, 'welcome', false)),
           ${personChangedSignal.name}, '[]'::jsonb, ${priority}::smallint, ${operationId}::uuid
      FROM unnest(${[...personIds]}::uuid[]) WITH ORDINALITY AS p(id, n)
     ORDER BY p.n`;
}

/** A document version was approved or changed, or people joined its gap: its process (started if need be) looks again. */
export function wakeDocumentProcess(tenantId: string, version: { documentId: string; version: string; id: string }): ProcessCommand {
  const input: DocumentGapInput = { tenantId, versionId: version.id };
  return {
    tenantId,
    workflowId: documentGapWorkflowId(tenantId, version.documentId, version.version),
    workflowType: 'documentGap',
    action: 'signal_with_start',
    args: [input],
    signal: { name: documentChangedSignal.name, args: [] },
  };
}

/**
 * Something about a person's certification changed (a role, a completion of its path, a certificate
 * issued, revoked or imported, a requirement): its process (started if need be) looks at the records again.
 */
export function wakeCertificationProcess(tenantId: string, certificationId: string, personId: string, priority = 0): ProcessCommand {
  const input: CertificationInput = { tenantId, certificationId, personId };
  return {
    tenantId,
    workflowId: certificationWorkflowId(tenantId, certificationId, personId),
    workflowType: 'certification',
    action: 'signal_with_start',
    args: [input],
    signal: { name: certificationChangedSignal.name, args: [] },
    priority,
  };
}

/**
 * wakeCertificationProcess for many person × certification pairs in one statement (a requirement
 * change, a history import): the dispatcher delivers them with bounded concurrency. Returns the
 * commands' ids, for `deliverNow` after the commit.
 */
export async function queueCertificationWakeUps(
  tx: DbTx,
  taskQueue: string,
  tenantId: string,
  pairs: readonly { personId: string; certificationId: string }[],
  priority = BULK,
): Promise<bigint[]> {
  if (pairs.length === 0) return [];
  const rows = await tx.$queryRaw<{ id: bigint }[]>`
    INSERT INTO process_command (tenant_id, workflow_id, workflow_type, task_queue, action, args, signal_name, signal_args, priority)
    SELECT ${tenantId}::uuid, c.workflow_id, 'certification', ${taskQueue}, 'signal_with_start',
           jsonb_build_array(jsonb_build_object('tenantId', ${tenantId}::text, 'certificationId', c.certification_id::text, 'personId', c.person_id::text)),
           ${certificationChangedSignal.name}, '[]'::jsonb, ${priority}::smallint
      FROM unnest(${pairs.map((p) => p.personId)}::uuid[], ${pairs.map((p) => p.certificationId)}::uuid[],
                  ${pairs.map((p) => certificationWorkflowId(tenantId, p.certificationId, p.personId))}::text[]) WITH ORDINALITY AS c(person_id, certification_id, workflow_id, n)
     ORDER BY c.n
    RETURNING id`;
  return rows.map((row) => row.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
