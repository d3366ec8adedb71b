export { certification } from './certification';
export { documentGap } from './document-gap';
export { hcmConnectorSync, hcmPull } from './hcm-pull';
export { importRun } from './import-run';
export { matrixChange } from './matrix-change';
export { notification } from './notification';
export { onboarding } from './onboarding';
export { renewal } from './renewal';
