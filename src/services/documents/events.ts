import type { Db, DbTx } from '../../db/client';
import { Prisma } from '../../db/client';
import { canonicalJson } from '../../domain/canonical-json';
import { Conflict, UnknownReference } from '../../domain/errors';
import { documentGapWorkflowId } from '../../domain/workflow-ids';
import { recordAudit, type Actor } from '../audit/trail';
import { queueProcessCommands, wakeDocumentProcess, type ProcessCommand } from '../processes/commands';
import type { CommandDelivery } from '../processes/operations';
import { openGap } from './gap';

export interface DocumentEventCommand {
  source: string;
  eventId: string;
  type: 'approved' | 'effective' | 'superseded' | 'withdrawn';
  document: string;
  version: string;
  /** retraining or minor; when absent, the document type's default. */
  impact?: 'retraining' | 'minor';
  /** When it happened in the document system (the approval time for `approved`); now when absent. */
  occurredAt?: Date;
  effectiveDate?: string;
}

export interface DocumentEventOutcome {
  duplicate: boolean;
  document: string;
  version: string;
  status: string;
  impact: string | null;
  workflowId: string;
}

const ORDER: Record<string, number> = { draft: 0, approved: 1, effective: 2, superseded: 3, withdrawn: 3 };

/**
 * A document system's event, recorded once per (source, eventId) — the same delivery again is a
 * duplicate, the same id with other content 409 — and applied to the version in the same transaction
 * with the command that wakes the version's process (started if need be). Approving a version
 * supersedes the document's earlier approved or effective versions, whose processes close.
 */
export async function recordDocumentEvent(db: Db, delivery: CommandDelivery, tenantId: string, actor: Actor, command: DocumentEventCommand): Promise<DocumentEventOutcome> {
  const { outcome, commandIds } = await db.$transaction(async (tx) => {
    const payload = JSON.parse(JSON.stringify(command)) as Prisma.InputJsonValue;
    const previous = await tx.documentEvent.findUnique({ where: { tenantId_source_eventId: { tenantId, source: command.source, eventId: command.eventId } } });
    const version = await tx.documentVersion.findFirst({
      where: { tenantId, version: command.version, document: { key: command.document } },
      include: { document: { include: { documentType: { select: { defaultImpact: true } } } } },
    });
    if (!version) throw new UnknownReference('document_version', { document: command.document, version: command.version });
    const workflowId = documentGapWorkflowId(tenantId, version.documentId, version.version);
    if (previous) {
      if (canonicalJson(previous.payload) !== canonicalJson(payload)) {
        throw new Conflict('event_id_reused', `Event ${command.eventId} from ${command.source} was delivered before with different content; a new event needs a new eventId`, { source: command.source, eventId: command.eventId });
      }
      return { outcome: { duplicate: true, document: command.document, version: version.version, status: version.status, impact: version.impact, workflowId }, commandIds: [] };
    }
    await tx.documentEvent.create({ data: { tenantId, source: command.source, eventId: command.eventId, type: command.type, payload } });

    const next = nextState(version.status, command);
    const impact = command.type === 'approved' ? (command.impact ?? version.impact ?? (version.document.documentType.defaultImpact as 'retraining' | 'minor')) : version.impact;
    const updated = await tx.documentVersion.update({
      where: { id: version.id },
      data: {
        status: next,
        impact,
        ...(command.type === 'approved' && !version.approvedAt ? { approvedAt: command.occurredAt ?? new Date() } : {}),
        ...(command.effectiveDate ? { effectiveDate: new Date(`${command.effectiveDate}T00:00:00Z`) } : {}),
      },
    });
    const commands: ProcessCommand[] = [wakeDocumentProcess(tenantId, version)];
    if (command.type === 'approved') {
      // The document's earlier approved or effective versions are replaced: their processes close.
      const replaced = await tx.documentVersion.findMany({ where: { documentId: version.documentId, id: { not: version.id }, status: { in: ['approved', 'effective'] } } });
      if (replaced.length > 0) {
        await tx.documentVersion.updateMany({ where: { id: { in: replaced.map((r) => r.id) } }, data: { status: 'superseded' } });
        commands.push(...replaced.map((r) => wakeDocumentProcess(tenantId, r)));
      }
    }
    if (next === 'withdrawn' || (next === 'superseded' && version.document.closeSuperseded)) {
      await tx.documentTraining.updateMany({ where: { versionId: version.id, status: 'open' }, data: { status: 'obsolete' } });
    }
    await recordAudit(tx, tenantId, actor, {
      action: `document_version.${command.type}`,
      entityType: 'document_version',
      entityId: version.id,
      data: { document: command.document, version: version.version, status: next, impact, eventId: command.eventId, source: command.source },
    });
    return { outcome: { duplicate: false, document: command.document, version: updated.version, status: updated.status, impact: updated.impact, workflowId }, commandIds: await queueProcessCommands(tx, delivery.taskQueue, commands) };
  });
  await delivery.deliverNow(commandIds);
  return outcome;
}

/** Where an event moves a version; an event that would move it backwards (approving a withdrawn version) is 409. */
function nextState(current: string, command: DocumentEventCommand): string {
  const target = command.type;
  if (current === target) return current;
  if (target === 'approved' && current === 'effective') return current;
  if ((target === 'effective' && current === 'draft') || ORDER[target]! < ORDER[current]!) {
    throw new Conflict('document_version_state', `Version ${command.version} of ${command.document} is ${current}; it cannot become ${target}`, { status: current, event: target });
  }
  return target;
}

/**
 * A person joined roles (a hire, a transfer, a return): the current versions of documents those roles
 * are touched by open their training for this person (the same gap, narrowed to them), and each such
 * version's process is woken to tell them.
 */
export async function documentCommandsFor(tx: DbTx, tenantId: string, personIds: readonly string[]): Promise<ProcessCommand[]> {
  const versions = await tx.$queryRaw<{ id: string; document_id: string; version: string; approved_at: Date }[]>`
    SELECT DISTINCT v.id, v.document_id, v.version, v.approved_at
      FROM person_role pr JOIN document_type_role dtr ON dtr.role_id = pr.role_id
      JOIN document d ON d.document_type_id = dtr.document_type_id
      JOIN document_version v ON v.document_id = d.id AND v.status IN ('approved', 'effective') AND v.impact = 'retraining' AND v.approved_at IS NOT NULL
     WHERE pr.tenant_id = ${tenantId}::uuid AND pr.person_id = ANY(${personIds as string[]}::uuid[])`;
  const commands: ProcessCommand[] = [];
  for (const v of versions) {
    const opened = await openGap(tx, tenantId, v.id, v.approved_at, personIds);
    if (opened.assigned > 0) commands.push(wakeDocumentProcess(tenantId, { id: v.id, documentId: v.document_id, version: v.version }));
  }
  return commands;
}
