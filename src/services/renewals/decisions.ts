import type { Db } from '../../db/client';
import type { ActingPerson, DecisionChannel, DecisionKind } from '../../domain/approval-chain';
import type { Processes } from '../../temporal/processes';
import type { DecisionResult, RequesterActionResult } from '../../workflows/renewal';
import { decisionTarget, requireActivePerson } from './approvals';
import { getRenewal } from './requests';

/** A decision from any door (REST, the inbox page, an e-mailed link), once the caller is known. */
export interface DecisionCommand {
  stepId: string;
  actorPersonId: string;
  decision: DecisionKind;
  reason?: string;
  delegateToPersonId?: string;
  channel: DecisionChannel;
  apiClientId?: string;
  httpRequestId?: string;
}

/** Hands the decision to the request's process and answers with its outcome once it is recorded. */
export async function submitDecision(db: Db, processes: Processes, tenantId: string, command: DecisionCommand): Promise<DecisionResult> {
  // A system acting for a person names them, so they must exist and be active; the pages act for the
  // signed-in approver, whose standing the process itself checks.
  if (command.channel === 'api') await requireActivePerson(db, tenantId, command.actorPersonId, 'actor');
  const { requestId } = await decisionTarget(db, tenantId, command);
  return processes.decideApproval(tenantId, requestId, {
    stepId: command.stepId,
    actorPersonId: command.actorPersonId,
    decision: command.decision,
    ...(command.reason?.trim() ? { reason: command.reason.trim() } : {}),
    ...(command.delegateToPersonId ? { delegateToPersonId: command.delegateToPersonId } : {}),
    channel: command.channel,
    ...(command.apiClientId ? { apiClientId: command.apiClientId } : {}),
    ...(command.httpRequestId ? { httpRequestId: command.httpRequestId } : {}),
  });
}

/** The requester resubmits after requested changes, or withdraws the request, through its process. */
export async function actAsRequester(
  db: Db,
  processes: Processes,
  tenantId: string,
  requestId: string,
  action: { kind: 'resubmit'; notes?: string } | { kind: 'cancel'; reason?: string },
  acting: ActingPerson,
): Promise<RequesterActionResult> {
  await getRenewal(db, tenantId, requestId);
  await requireActivePerson(db, tenantId, acting.actorPersonId, 'actor');
  return action.kind === 'resubmit'
    ? processes.resubmitRenewal(tenantId, requestId, { ...acting, ...(action.notes ? { notes: action.notes } : {}) })
    : processes.cancelRenewal(tenantId, requestId, { ...acting, ...(action.reason ? { reason: action.reason } : {}) });
}
