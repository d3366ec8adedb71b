/** Plain-text messages of "read and understood" signatures. Free of I/O so they are easy to read and test. */

/**
 * The fresh signing link a person asked for on the acknowledgement page: opening it from their own
 * mailbox is the re-authentication their signature rests on.
 */
export function signingLinkMessage(input: { name: string; title: string; version: string; meaning: string; signUrl: string; validHours: number }) {
  return {
    subject: `Your signing link: ${input.title}, version ${input.version}`,
    text:
      `Hello ${input.name},\n\n` +
      `Here is the link you asked for to sign ${input.title}, version ${input.version}, as read and understood. ` +
      `By signing you state:\n\n  ${input.meaning}\n\n` +
      `The link works once and expires in ${input.validHours} hours:\n\n${input.signUrl}\n\n` +
      `If you did not ask for it, you can ignore this message; nothing is signed until you press "Sign".\n`,
  };
}
