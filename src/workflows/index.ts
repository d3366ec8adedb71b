export { matrixChange } from './matrix-change';
export { onboarding } from './onboarding';
export { renewal } from './renewal';
