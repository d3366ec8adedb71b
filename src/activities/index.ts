import type { ApprovalLinkSettings } from '../services/identity/approval-links';
import { createCertificationActivities } from './certifications';
import type { ActivityDeps } from './deps';
import { createDocumentActivities } from './documents';
import { createFailureActivities, withHopelessFailures } from './failures';
import { createMatrixChangeActivities } from './matrix-changes';
import { createNotificationActivities } from './notifications';
import { createOnboardingActivities } from './onboarding';
import { createRenewalActivities } from './renewals';

export type { ActivityDeps } from './deps';

/** Every activity the worker registers, bound to the process's dependencies. */
export function createActivities(deps: ActivityDeps & { approvalLinks: ApprovalLinkSettings }) {
  return withHopelessFailures({
    ...createOnboardingActivities(deps),
    ...createRenewalActivities(deps),
    ...createMatrixChangeActivities(deps),
    ...createNotificationActivities(deps),
    ...createDocumentActivities(deps),
    ...createCertificationActivities(deps),
    ...createFailureActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
