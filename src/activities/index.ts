import type { ApprovalLinkSettings } from '../services/identity/approval-links';
import type { ConnectorSettings } from '../services/imports/connectors';
import { createCertificationActivities } from './certifications';
import type { ActivityDeps } from './deps';
import { createDocumentActivities } from './documents';
import { createFailureActivities, withHopelessFailures } from './failures';
import { createHcmPullActivities } from './hcm-pulls';
import { createImportApplyActivities } from './import-apply';
import { createImportActivities } from './imports';
import { createMatrixChangeActivities } from './matrix-changes';
import { createNotificationActivities } from './notifications';
import { createOnboardingActivities } from './onboarding';
import { createRenewalActivities } from './renewals';

export type { ActivityDeps } from './deps';

/**
 * Every activity the worker registers, bound to the process's dependencies. `connectors`: the HCM
 * connectors' secrets key and URL rules (src/runtime.ts passes them; without them, the development settings).
 */
export function createActivities(deps: ActivityDeps & { approvalLinks: ApprovalLinkSettings; connectors?: ConnectorSettings }) {
  return withHopelessFailures({
    ...createOnboardingActivities(deps),
    ...createRenewalActivities(deps),
    ...createMatrixChangeActivities(deps),
    ...createNotificationActivities(deps),
    ...createDocumentActivities(deps),
    ...createCertificationActivities(deps),
    ...createImportActivities(deps),
    ...createImportApplyActivities(deps),
    ...createHcmPullActivities(deps),
    ...createFailureActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
