import { createOnboardingActivities, type ActivityDeps } from './onboarding';
import { createTrainingPlanActivities } from './training-plan';

export type { ActivityDeps } from './onboarding';

/** Every activity the worker registers, bound to the process's dependencies. */
export function createActivities(deps: ActivityDeps) {
  return { ...createOnboardingActivities(deps), ...createTrainingPlanActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
