import { createOnboardingActivities, type ActivityDeps } from './onboarding';
import { createRenewalActivities, type RenewalActivityDeps } from './renewals';
import { createTrainingPlanActivities } from './training-plan';

export type { ActivityDeps } from './onboarding';

/** Every activity the worker registers, bound to the process's dependencies. */
export function createActivities(deps: ActivityDeps & Pick<RenewalActivityDeps, 'approvalLinks'>) {
  return { ...createOnboardingActivities(deps), ...createTrainingPlanActivities(deps), ...createRenewalActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
