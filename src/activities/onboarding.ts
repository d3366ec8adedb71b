import type { Db } from '../db/client';
import type { Mailer } from '../mail/transport';
import type { Processes } from '../temporal/processes';
import { welcomeMessage } from '../mail/templates';
import { listAssignments, refreshPersonAssignments, type AssignmentView } from '../services/onboarding/assignments';
import { deliverNotification, queueNotification } from '../services/notifications/outbox';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  publicUrl: string;
  /** For activities that wake other processes (a renewal sending people back to training). */
  processes: Processes;
}

export interface PersonRef {
  tenantId: string;
  personId: string;
}

/** The onboarding process's side effects. Each one is safe to run again with the same input. */
export function createOnboardingActivities({ db, mailer, publicUrl }: ActivityDeps) {
  return {
    async assignRequiredTraining(input: PersonRef & { workflowId: string }): Promise<AssignmentView[]> {
      await db.$transaction((tx) => refreshPersonAssignments(tx, input.tenantId, input.personId, { type: 'system', id: input.workflowId }));
      return listAssignments(db, input.tenantId, input.personId);
    },

    /** Queues the welcome message in the outbox (once per workflow) and returns its id. */
    async queueWelcomeEmail(input: PersonRef & { workflowId: string; runId: string; assignments: AssignmentView[] }): Promise<string> {
      const person = await db.person.findFirstOrThrow({
        where: { id: input.personId, tenantId: input.tenantId },
        select: { email: true, name: true },
      });
      const message = welcomeMessage({ name: person.name, assignments: input.assignments, publicUrl });
      return queueNotification(db, {
        tenantId: input.tenantId,
        key: `${input.workflowId}:${input.runId}:welcome`,
        personId: input.personId,
        toAddress: person.email,
        ...message,
      });
    },

    async deliverNotification(notificationId: string): Promise<void> {
      await deliverNotification(db, mailer, notificationId);
    },
  };
}
