import { condition, defineQuery, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ACTIVITY_RETRY } from './failures';

export interface DocumentGapInput {
  tenantId: string;
  versionId: string;
}

/** What the process waits for next, as the records say (read by an activity, in ISO moments). */
export interface DocumentGapPlan {
  /** open: training is owed; closed: withdrawn, superseded, or a minor change that owes nothing. */
  state: 'open' | 'closed';
  remindAt: string | null;
  escalateAt: string | null;
}

export interface DocumentGapStatus {
  phase: 'assigning' | 'waiting' | 'closed' | 'done';
  next: { kind: 'reminder' | 'escalation'; at: string } | null;
}

/** The version changed (effective, superseded, withdrawn) or people were added to it (a transfer, a hire): look again. */
export const documentChangedSignal = defineSignal('documentChanged');
export const documentGapStatusQuery = defineQuery<DocumentGapStatus>('documentGapStatus');

const { openDocumentGap, tellDocumentTrainings, sendDocumentNotices } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: ACTIVITY_RETRY,
});

/**
 * The process of one document version (`docgap:<tenant>:<document>:<version>`): assigns its training to
 * everyone in its gap (one set-based step) and tells each person once, with a digest for each manager;
 * re-checks and reminds before the due date; escalates after it. A change to the version or to who
 * holds an affected role wakes it. Notices whose moment had passed when this run began are not sent
 * late (a run restarted for a transfer does not re-escalate); the outbox keys make each message once.
 */
export async function documentGap(input: DocumentGapInput): Promise<DocumentGapStatus> {
  const { workflowId, startTime } = workflowInfo();
  const began = startTime.getTime();
  const status: DocumentGapStatus = { phase: 'assigning', next: null };
  let changed = false;
  setHandler(documentChangedSignal, () => void (changed = true));
  setHandler(documentGapStatusQuery, () => status);

  let plan = await openDocumentGap({ ...input, workflowId });
  const done = new Set<'reminder' | 'escalation'>();
  for (;;) {
    while (await tellDocumentTrainings({ ...input, workflowId }));
    if (plan.state === 'closed') return Object.assign(status, { phase: 'closed', next: null });
    const due = (['reminder', 'escalation'] as const)
      .map((kind) => ({ kind, at: kind === 'reminder' ? plan.remindAt : plan.escalateAt }))
      .find((n): n is { kind: 'reminder' | 'escalation'; at: string } => n.at !== null && !done.has(n.kind) && Date.parse(n.at) >= began);
    if (!due) return Object.assign(status, { phase: 'done', next: null });
    Object.assign(status, { phase: 'waiting', next: due });
    const wait = Date.parse(due.at) - Date.now();
    if (wait > 0 && (await condition(() => changed, wait))) {
      changed = false;
      plan = await openDocumentGap({ ...input, workflowId });
      continue;
    }
    await sendDocumentNotices({ ...input, workflowId, kind: due.kind });
    done.add(due.kind);
  }
}
