import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

/**
 * The vendor-shaped sample files (README.md in this folder says who is who, which rows are bad and
 * what the changed versions change), for the import tests.
 */

export const SAMPLES_DIR = __dirname;
/** The day the samples are read on ("today") unless a test says otherwise. */
export const SAMPLE_TODAY = '2026-11-28';
/** Jonas Salk's future-dated transfer (SuccessFactors, Oracle HCM). */
export const SAMPLE_FUTURE_DATE = '2027-07-01';
/** Hazel Johnson's start, a pending hire (unified HRIS). */
export const SAMPLE_PENDING_START = '2027-01-04';

export const SAMPLES = {
  'workday-raas': { first: 'workday-raas.json', changed: 'workday-raas-changed.json' },
  'successfactors-odata': { first: 'successfactors-odata.json', changed: 'successfactors-odata-changed.json' },
  'oracle-hcm-workers': { first: 'oracle-hcm-workers.json', changed: 'oracle-hcm-workers-changed.json' },
  bamboohr: { first: 'bamboohr.json', changed: 'bamboohr-changed.json' },
  'unified-hris': { first: 'unified-hris.json', changed: 'unified-hris-changed.json' },
  'generic-csv': { first: 'generic.csv', changed: 'generic-changed.csv' },
  'lms-transcript-csv': { first: 'lms-transcript.csv', changed: 'lms-transcript-changed.csv' },
} as const;

export type SampleProfile = keyof typeof SAMPLES;

export function samplePath(file: string): string {
  return join(SAMPLES_DIR, file);
}

const odata = (day: string) => `/Date(${Date.parse(`${day}T00:00:00Z`)})`;

/**
 * A sample's text, with days moved: `{ dates: { '2027-07-01': '2027-02-15' } }` rewrites the day
 * wherever it appears, as YYYY-MM-DD and as OData's /Date(ms)/ — so a test on the real clock can keep
 * the future-dated change in the future.
 */
export function sampleText(file: string, options: { dates?: Record<string, string> } = {}): string {
  let text = readFileSync(samplePath(file), 'utf8');
  for (const [from, to] of Object.entries(options.dates ?? {})) {
    text = text.split(from).join(to).split(odata(from)).join(odata(to));
  }
  return text;
}

/** The sample as a stream of 4 KiB chunks (as an upload arrives), optionally with days moved. */
export function sampleStream(file: string, options: { dates?: Record<string, string> } = {}): Readable {
  const bytes = Buffer.from(sampleText(file, options), 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 4096) chunks.push(bytes.subarray(i, i + 4096));
  return Readable.from(chunks);
}
