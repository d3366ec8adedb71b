import { deliverNotification } from '../services/notifications/outbox';
import type { ActivityDeps } from './deps';

/** Delivery of outbox messages that no other process sends. */
export function createNotificationActivities({ db, mailer }: ActivityDeps) {
  return {
    async deliverNotification(notificationId: string): Promise<void> {
      await deliverNotification(db, mailer, notificationId);
    },
  };
}
