/** Plain-text messages people receive. Kept free of I/O so they are easy to read and test. */

export interface WelcomeAssignment {
  programTitle: string;
  dueDate: string;
  mandatory: boolean;
}

export function welcomeMessage(input: { name: string; assignments: WelcomeAssignment[]; publicUrl: string }) {
  const lines = input.assignments.map(
    (a) => `- ${a.programTitle} — due ${a.dueDate}${a.mandatory ? '' : ' (optional)'}`,
  );
  const body =
    input.assignments.length === 0
      ? 'Your role does not require any training at the moment.'
      : `Your role requires the following training:\n\n${lines.join('\n')}`;
  return {
    subject: input.assignments.length === 0 ? 'Welcome aboard' : `Welcome aboard: ${input.assignments.length} training item(s) to complete`,
    text: `Hello ${input.name},\n\n${body}\n\nYou can see what you owe at ${input.publicUrl}.\n`,
  };
}
