import { parseProfileDefinition, type ProfileDefinition, type ProfileInput } from '../profile';
import { bamboohr } from './bamboohr';
import { genericCsv } from './generic-csv';
import { lmsTranscriptCsv } from './lms-transcript-csv';
import { oracleHcmWorkers } from './oracle-hcm-workers';
import { successfactorsOdata } from './successfactors-odata';
import { unifiedHris } from './unified-hris';
import { workdayRaas } from './workday-raas';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

function builtIn(name: string, input: ProfileInput): ProfileDefinition {
  const parsed = parseProfileDefinition(input);
  if (!parsed.ok) throw new Error(`Built-in profile ${name} is not valid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return deepFreeze(parsed.definition);
}

/**
 * The profiles every tenant has. A tenant adapts one by copying its definition (adding roleCodes,
 * renaming columns) and storing the copy under a name of its own, versioned.
 */
export const BUILT_IN_PROFILES: Readonly<Record<string, ProfileDefinition>> = Object.freeze({
  'workday-raas': builtIn('workday-raas', workdayRaas),
  'successfactors-odata': builtIn('successfactors-odata', successfactorsOdata),
  'oracle-hcm-workers': builtIn('oracle-hcm-workers', oracleHcmWorkers),
  bamboohr: builtIn('bamboohr', bamboohr),
  'unified-hris': builtIn('unified-hris', unifiedHris),
  'generic-csv': builtIn('generic-csv', genericCsv),
  'lms-transcript-csv': builtIn('lms-transcript-csv', lmsTranscriptCsv),
});
