/** Messages of a person's certification process: the path assigned, the window, reminders, expiry. */

export interface CertificationMessageInput {
  name: string;
  certification: string;
  program: string;
  /** YYYY-MM-DD */
  expiresOn?: string;
  dueDate?: string;
  learnerUrl: string;
}

export function certificationRequiredMessage(input: CertificationMessageInput & { reason: 'required' | 'revoked' }) {
  const why = input.reason === 'revoked' ? `Your ${input.certification} certificate was revoked.` : `Your role requires the ${input.certification} certification.`;
  return {
    subject: `Certification required: ${input.certification}`,
    text: `Hello ${input.name},\n\n${why} To be certified, complete ${input.program} by ${input.dueDate}.\n\nYour training: ${input.learnerUrl}\n`,
  };
}

export function recertificationWindowMessage(input: CertificationMessageInput) {
  return {
    subject: `Time to recertify: ${input.certification} expires on ${input.expiresOn}`,
    text:
      `Hello ${input.name},\n\nYour ${input.certification} certificate expires on ${input.expiresOn}. ` +
      `To renew it, complete ${input.program} before then.\n\nYour training: ${input.learnerUrl}\n`,
  };
}

export function recertificationReminderMessage(input: CertificationMessageInput & { daysLeft: number }) {
  return {
    subject: `Reminder: ${input.certification} expires on ${input.expiresOn}`,
    text:
      `Hello ${input.name},\n\nYour ${input.certification} certificate expires in ${input.daysLeft} days, on ${input.expiresOn}. ` +
      `${input.program} is still to be completed.\n\nYour training: ${input.learnerUrl}\n`,
  };
}

export function certificationExpiredMessage(input: CertificationMessageInput) {
  return {
    subject: `Expired: your ${input.certification} certificate`,
    text:
      `Hello ${input.name},\n\nYour ${input.certification} certificate expired on ${input.expiresOn}. ` +
      `To be certified again, complete ${input.program} by ${input.dueDate}.\n\nYour training: ${input.learnerUrl}\n`,
  };
}

/** To the manager and to the compliance officer. */
export function certificationLapsedMessage(input: { to: 'manager' | 'compliance_officer'; recipientName: string | null; person: string; certification: string; expiresOn: string }) {
  return {
    subject: `Certification lapsed: ${input.person} — ${input.certification} expired on ${input.expiresOn}`,
    text:
      `${input.recipientName ? `Hello ${input.recipientName},\n\n` : ''}${input.person}'s ${input.certification} certificate expired on ${input.expiresOn} ` +
      `without recertification. ${input.to === 'manager' ? 'They report to you and are' : 'They are'} back on the initial certification path.\n`,
  };
}
