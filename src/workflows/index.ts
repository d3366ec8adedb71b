export { certification } from './certification';
export { documentGap } from './document-gap';
export { matrixChange } from './matrix-change';
export { notification } from './notification';
export { onboarding } from './onboarding';
export { renewal } from './renewal';
