/** One document training a person owes, as messages list it. */
export interface OwedDocument {
  title: string;
  version: string;
  dueDate: string;
  /** What to do: acknowledge the version, or take a course / program. */
  action: string;
  /** Where to do it (the acknowledgement page, or the learner's page). */
  url: string;
}

const list = (items: OwedDocument[]) => items.map((d) => `- ${d.title}, version ${d.version} — ${d.action}, due ${d.dueDate}\n  ${d.url}`).join('\n');

/** The one message a person gets when a document version's approval gives them training: everything they owe. */
export function documentTrainingMessage(input: { name: string; approved: { title: string; version: string }; owed: OwedDocument[]; learnerUrl: string }) {
  return {
    subject: `New version of ${input.approved.title} (${input.approved.version}): training required`,
    text:
      `Hello ${input.name},\n\n${input.approved.title}, version ${input.approved.version}, was approved and concerns your role.\n\n` +
      `Controlled documents you are to be trained on:\n\n${list(input.owed)}\n\nAll your training, and where it stands: ${input.learnerUrl}\n`,
  };
}

export function documentReminderMessage(input: { name: string; owed: OwedDocument[]; learnerUrl: string }) {
  return {
    subject: `Reminder: document training due on ${input.owed[0]?.dueDate ?? ''}`,
    text: `Hello ${input.name},\n\nThis training is still open:\n\n${list(input.owed)}\n\nAll your training: ${input.learnerUrl}\n`,
  };
}

/** To a manager: their people's new gaps for a version (digest), or those still open after its due date (escalation). */
export function documentManagerMessage(kind: 'digest' | 'escalation', input: { managerName: string; title: string; version: string; dueDate: string; people: string[] }) {
  const who = input.people.map((p) => `- ${p}`).join('\n');
  return kind === 'digest'
    ? {
        subject: `${input.title} (${input.version}): ${input.people.length} of your people to train by ${input.dueDate}`,
        text: `Hello ${input.managerName},\n\n${input.title}, version ${input.version}, was approved. These people who report to you must be trained on it by ${input.dueDate}:\n\n${who}\n`,
      }
    : {
        subject: `Overdue: ${input.title} (${input.version}) training for ${input.people.length} of your people`,
        text: `Hello ${input.managerName},\n\nTraining on ${input.title}, version ${input.version}, was due on ${input.dueDate} and is still open for:\n\n${who}\n`,
      };
}

export function documentComplianceMessage(input: { title: string; version: string; dueDate: string; people: string[] }) {
  return {
    subject: `Overdue: ${input.title} (${input.version}) training for ${input.people.length} people`,
    text: `Training on ${input.title}, version ${input.version}, was due on ${input.dueDate} and is still open for:\n\n${input.people.map((p) => `- ${p}`).join('\n')}\n`,
  };
}
