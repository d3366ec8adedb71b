import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ACTIVITY_RETRY } from './failures';

export interface NotificationInput {
  tenantId: string;
  notificationId: string;
}

const { deliverNotification } = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: ACTIVITY_RETRY });

/** Delivers one outbox message that no other process sends (e.g. a sign-in link asked for on a page), retrying until the mail server takes it. */
export async function notification(input: NotificationInput): Promise<void> {
  await deliverNotification(input.notificationId);
}
