import type { Db } from '../../db/client';
import { DomainError, NotFound, UnknownReference } from '../../domain/errors';
import type { ChainSnapshot } from './requests';
import { isUuid } from '../catalog/common';

/** A step waiting for this person, with what they need to decide it. */
export interface InboxItem {
  approvalId: string;
  renewalId: string;
  kind: 'program' | 'course' | 'certification';
  target: { key: string; title: string };
  version: string | null;
  reason: string;
  notes: string | null;
  requester: { id: string; name: string };
  level: number;
  levels: number;
  levelName: string;
  via: string;
  openedAt: string;
  dueAt: string;
}

/** The approval steps waiting for a person's decision, the most urgent first (404 for a person the tenant does not have). */
export async function listInbox(db: Db, tenantId: string, personId: string): Promise<InboxItem[]> {
  if (!(await db.person.findFirst({ where: { tenantId, id: personId }, select: { id: true } }))) throw new NotFound('person', personId);
  const rows = await db.approvalStepApprover.findMany({
    where: { tenantId, personId, status: 'pending', step: { status: 'pending', request: { status: 'pending' } } },
    include: {
      step: {
        include: {
          request: {
            include: { program: { select: { key: true, title: true } }, course: { select: { key: true, title: true } }, certification: { select: { key: true, title: true } }, requester: { select: { id: true, name: true } } },
          },
        },
      },
    },
    orderBy: [{ step: { dueAt: 'asc' } }],
  });
  return rows.map(({ step, via }) => {
    const request = step.request;
    const target = (request.program ?? request.course ?? request.certification)!;
    return {
      approvalId: step.id,
      renewalId: request.id,
      kind: request.kind,
      target: { key: target.key, title: target.title },
      version: request.version,
      reason: request.reason,
      notes: request.notes,
      requester: request.requester,
      level: step.level,
      levels: (request.chain as unknown as ChainSnapshot).levels.length,
      levelName: step.name,
      via,
      openedAt: step.openedAt.toISOString(),
      dueAt: step.dueAt.toISOString(),
    };
  });
}

/** One approval step as its approver sees it (also after it closed, to explain why a link no longer works). */
export async function findApprovalStep(db: Db, tenantId: string, stepId: string) {
  if (!isUuid(stepId)) throw new NotFound('approval', stepId);
  const step = await db.approvalStep.findFirst({
    where: { tenantId, id: stepId },
    include: {
      request: {
        include: { program: { select: { key: true, title: true } }, course: { select: { key: true, title: true } }, certification: { select: { key: true, title: true } }, requester: { select: { id: true, name: true } } },
      },
    },
  });
  if (!step) throw new NotFound('approval', stepId);
  return step;
}

export async function requireActivePerson(db: Db, tenantId: string, personId: string, role: 'actor' | 'delegate'): Promise<{ id: string; name: string }> {
  const person = await db.person.findFirst({ where: { tenantId, id: personId }, select: { id: true, name: true, status: true } });
  if (!person) throw new UnknownReference('person', personId);
  if (person.status !== 'active') {
    const who = role === 'delegate' ? 'The person to delegate to' : 'The acting person';
    throw new DomainError(422, 'person_inactive', `${who} is ${person.status.replace('_', ' ')}`, { personId });
  }
  return { id: person.id, name: person.name };
}

/**
 * The request a decision on this step goes to, once what the decision names exists: the request's
 * process itself then decides (in its Update validator) whether this person may take it now.
 */
export async function decisionTarget(db: Db, tenantId: string, input: { stepId: string; delegateToPersonId?: string }): Promise<{ requestId: string }> {
  const step = isUuid(input.stepId) ? await db.approvalStep.findFirst({ where: { tenantId, id: input.stepId }, select: { requestId: true } }) : null;
  if (!step) throw new NotFound('approval', input.stepId);
  if (input.delegateToPersonId) await requireActivePerson(db, tenantId, input.delegateToPersonId, 'delegate');
  return step;
}
