/**
 * Reads a generated file of N workers with a built-in profile and prints what the heap did, as JSON.
 * Run in a process of its own (node --expose-gc --import tsx …) so that the figures are the reader's:
 *   read-generated-file.ts <generic-csv|workday-raas> <workers>
 * The file is generated as a stream, piece by piece, and never held whole.
 */
import { Readable } from 'node:stream';
import { BUILT_IN_PROFILES, readRecords } from '../../../../src/connectors/hcm/read';
import { isRowError } from '../../../../src/connectors/hcm/records';

const [profile = 'generic-csv', count = '200000'] = process.argv.slice(2);
const WORKERS = Number(count);
const DEPARTMENTS = ['ICU', 'Emergency', 'Pharmacy', 'Radiology', 'Surgery'];
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function* genericCsvRows(): Generator<string> {
  yield 'external_id,email,name,department,location,manager_external_id,roles,hire_date,termination_date,status\r\n';
  for (let i = 0; i < WORKERS; i++) {
    const id = 100_000 + i;
    const manager = i === 0 ? '' : String(100_000 + Math.floor((i - 1) / 8));
    yield `${id},worker.${id}@example.com,"Worker, Number ${id}",${DEPARTMENTS[i % 5]},Boston General,${manager},nurse;charge-nurse,2020-01-${String((i % 28) + 1).padStart(2, '0')},,${i % 50 === 0 ? 'on_leave' : 'active'}\r\n`;
  }
}

function* workdayEntries(): Generator<string> {
  yield '{"Report_Entry":[';
  for (let i = 0; i < WORKERS; i++) {
    const id = 100_000 + i;
    yield (i === 0 ? '' : ',') +
      JSON.stringify({
        Employee_ID: String(id),
        Worker: `Worker Number ${id}`,
        Email_Address: `worker.${id}@example.com`,
        Hire_Date: '2020-01-15',
        Job_Code: i % 3 === 0 ? 'CN-02' : 'RN-01',
        Position: `P-${id} Registered Nurse`,
        Supervisory_Organization: `${DEPARTMENTS[i % 5]} (Grace Hopper)`,
        Location: 'Boston General',
        ...(i === 0 ? {} : { Manager_ID: String(100_000 + Math.floor((i - 1) / 8)) }),
        Worker_Status: 'Active',
        Active_Status: '1',
        On_Leave: '0',
      });
  }
  yield '],"Report_Has_More_Rows":false}';
}

let bytes = 0;
function* chunks(pieces: Generator<string>) {
  let batch = '';
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= 65_536) {
      bytes += Buffer.byteLength(batch);
      yield Buffer.from(batch);
      batch = '';
    }
  }
  bytes += Buffer.byteLength(batch);
  yield Buffer.from(batch);
}

async function main() {
  const input = Readable.from(chunks(profile === 'generic-csv' ? genericCsvRows() : workdayEntries()));
  gc!();
  const baseline = process.memoryUsage();
  const heapGrowth: number[] = [];
  let rssGrowth = 0;
  let records = 0;
  let last = 0;
  const started = process.hrtime.bigint();
  for await (const result of readRecords(BUILT_IN_PROFILES[profile]!, input, { today: '2026-11-28' })) {
    if (isRowError(result)) throw new Error(`line ${result.line}: ${result.error}`);
    records++;
    last = result.line;
    if (records % 20_000 === 0) {
      gc!();
      const now = process.memoryUsage();
      heapGrowth.push(now.heapUsed - baseline.heapUsed);
      rssGrowth = Math.max(rssGrowth, now.rss - baseline.rss);
    }
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(JSON.stringify({ records, last, bytes, heapGrowth, rssGrowth, ms }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
