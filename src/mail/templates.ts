/** Plain-text messages people receive. Kept free of I/O so they are easy to read and test. */

export interface WelcomeAssignment {
  programTitle: string;
  dueDate: string;
  mandatory: boolean;
}

/** `learnerUrl`: the person's own link to the page of what they owe. */
export function welcomeMessage(input: { name: string; assignments: WelcomeAssignment[]; learnerUrl: string }) {
  const lines = input.assignments.map(
    (a) => `- ${a.programTitle} — due ${a.dueDate}${a.mandatory ? '' : ' (optional)'}`,
  );
  const body =
    input.assignments.length === 0
      ? 'Your role does not require any training at the moment.'
      : `Your role requires the following training:\n\n${lines.join('\n')}`;
  return {
    subject: input.assignments.length === 0 ? 'Welcome aboard' : `Welcome aboard: ${input.assignments.length} training item(s) to complete`,
    text: `Hello ${input.name},\n\n${body}\n\nWhat you owe, and where it stands: ${input.learnerUrl}\n`,
  };
}

export interface NoticeSubject {
  personName: string;
  programTitle: string;
  dueDate: string;
}

/**
 * Reminders before the due date, the overdue notice, and the escalations to manager and compliance.
 * `learnerUrl`: the person's own link, in the messages to the person (not in escalations to others).
 */
export function noticeMessage(kind: string, s: NoticeSubject, learnerUrl: string | null): { subject: string; text: string } {
  const link = learnerUrl ? `\nWhat you owe, and where it stands: ${learnerUrl}\n` : '';
  if (kind.startsWith('reminder_')) {
    return {
      subject: `Reminder: ${s.programTitle} is due on ${s.dueDate}`,
      text: `Hello ${s.personName},\n\n${s.programTitle} is due on ${s.dueDate}. Please complete it before then.\n${link}`,
    };
  }
  switch (kind) {
    case 'overdue':
      return {
        subject: `Overdue: ${s.programTitle} was due on ${s.dueDate}`,
        text: `Hello ${s.personName},\n\n${s.programTitle} was due on ${s.dueDate} and is not complete yet. Please complete it now.\n${link}`,
      };
    case 'manager_escalation':
      return {
        subject: `Overdue training in your team: ${s.personName} — ${s.programTitle}`,
        text: `Hello,\n\n${s.personName} has not completed ${s.programTitle}, which was due on ${s.dueDate}. Please follow up with them.\n${link}`,
      };
    case 'compliance_escalation':
      return {
        subject: `Compliance escalation: ${s.personName} — ${s.programTitle} overdue since ${s.dueDate}`,
        text: `Hello,\n\n${s.personName} has still not completed ${s.programTitle} (due ${s.dueDate}), although their manager was told.\n${link}`,
      };
    default:
      throw new Error(`Unknown notice kind ${kind}`);
  }
}
