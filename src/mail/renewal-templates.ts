/** Plain-text messages of the renewal approval process. Free of I/O so they are easy to read and test. */

export interface RenewalSummary {
  kind: 'program' | 'course' | 'certification';
  targetTitle: string;
  version: string | null;
  requesterName: string;
  reason: string;
  notes: string | null;
}

export type ApproverMessagePurpose = 'request' | 'reminder' | 'reroute' | 'escalation' | 'delegation';

const LEAD: Record<ApproverMessagePurpose, string> = {
  request: 'Your approval is needed',
  reminder: 'Reminder: your approval is still needed',
  reroute: 'An approval has moved to you',
  escalation: 'An approval was escalated to you',
  delegation: 'An approval was delegated to you',
};

function what(renewal: RenewalSummary): string {
  return `${renewal.kind} "${renewal.targetTitle}"${renewal.version ? ` (version ${renewal.version})` : ''}`;
}

function when(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function approverMessage(input: {
  purpose: ApproverMessagePurpose;
  approverName: string;
  renewal: RenewalSummary;
  level: number;
  levels: number;
  levelName: string;
  dueAt: Date;
  approveUrl: string;
  rejectUrl: string;
  inboxUrl: string;
}) {
  const { renewal } = input;
  const subject = `${LEAD[input.purpose]}: renewal of ${renewal.targetTitle} (level ${input.level} of ${input.levels})`;
  const text = [
    `Hello ${input.approverName},`,
    '',
    `${LEAD[input.purpose]} on the renewal of the ${what(renewal)}, requested by ${renewal.requesterName}.`,
    '',
    `Why: ${renewal.reason}`,
    ...(renewal.notes ? [`Notes: ${renewal.notes}`] : []),
    `Approval level: ${input.level} of ${input.levels} — ${input.levelName}`,
    `Please decide by: ${when(input.dueAt)}`,
    '',
    `Approve: ${input.approveUrl}`,
    `Reject or request changes: ${input.rejectUrl}`,
    '',
    'Each link opens a page where you confirm; it works once and expires.',
    `All your pending approvals: ${input.inboxUrl}`,
    '',
  ].join('\n');
  return { subject, text };
}

export function changesRequestedMessage(input: { requesterName: string; renewal: RenewalSummary; level: number; reason: string | null }) {
  return {
    subject: `Changes requested: renewal of ${input.renewal.targetTitle}`,
    text: [
      `Hello ${input.requesterName},`,
      '',
      `Changes were requested at approval level ${input.level} for the renewal of the ${what(input.renewal)}.`,
      '',
      `What to change: ${input.reason ?? '(no reason given)'}`,
      '',
      'Resubmit the request once it is updated; level ' + input.level + ' then starts again.',
      '',
    ].join('\n'),
  };
}

const OUTCOME_WORD = { approved: 'approved', rejected: 'rejected', expired: 'expired', cancelled: 'cancelled' } as const;

export function outcomeMessage(input: {
  recipientName: string;
  isRequester: boolean;
  renewal: RenewalSummary;
  status: keyof typeof OUTCOME_WORD;
  reason: string | null;
  retrained: number;
  retrainDueDate: string | null;
}) {
  const word = OUTCOME_WORD[input.status];
  const lines = [`Hello ${input.recipientName},`, ''];
  lines.push(
    input.isRequester
      ? `Your request to renew the ${what(input.renewal)} was ${word}.`
      : `The renewal of the ${what(input.renewal)}, requested by ${input.renewal.requesterName}, was ${word}.`,
  );
  if (input.reason) lines.push('', `${input.status === 'rejected' ? 'Reason' : 'Why'}: ${input.reason}`);
  if (input.status === 'approved') {
    lines.push(
      '',
      input.retrained > 0
        ? `It is now in effect. ${input.retrained} completed assignment(s) were re-opened for re-training, due ${input.retrainDueDate}.`
        : 'It is now in effect.',
    );
  }
  lines.push('');
  return { subject: `Renewal ${word}: ${input.renewal.targetTitle}`, text: lines.join('\n') };
}

export function retrainingMessage(input: { name: string; programTitle: string; renewal: RenewalSummary; dueDate: string }) {
  return {
    subject: `Please re-take ${input.programTitle} by ${input.dueDate}`,
    text: [
      `Hello ${input.name},`,
      '',
      `The ${what(input.renewal)} was renewed, so ${input.programTitle} needs to be completed again.`,
      `Due: ${input.dueDate}`,
      '',
    ].join('\n'),
  };
}

/** The sign-in link an approver asked for on the sign-in page. */
export function signInLinkMessage(input: { name: string; signInUrl: string; validHours: number }) {
  return {
    subject: 'Your sign-in link for trainhub approvals',
    text:
      `Hello ${input.name},\n\nHere is the sign-in link you asked for. It opens the approvals waiting for you, ` +
      `works once, and expires in ${input.validHours} hours:\n\n${input.signInUrl}\n\n` +
      `If you did not ask for it, you can ignore this message.\n`,
  };
}
