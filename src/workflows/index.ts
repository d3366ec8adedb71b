export { onboarding } from './onboarding';
export { renewal } from './renewal';
