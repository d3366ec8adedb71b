import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The readers stream: a 200,000-worker file is read with memory bounded by one record, never by the
 * file. The files are generated as streams (never held whole) and read in a process of their own
 * (support/read-generated-file.ts), which collects garbage and measures the heap every 20,000 records:
 * what the reader keeps must stay small and must not grow as it goes.
 */

const MiB = 1024 * 1024;
const root = path.resolve(__dirname, '../../..');

interface Reading {
  records: number;
  last: number;
  bytes: number;
  heapGrowth: number[];
  rssGrowth: number;
  ms: number;
}

async function readGenerated(profile: string, workers: number): Promise<Reading> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'support', 'read-generated-file.ts'), profile, String(workers)], {
    cwd: root,
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout) as Reading;
}

describe('reading a 200,000-worker file', () => {
  it('a generic CSV streams with bounded memory', async () => {
    const reading = await readGenerated('generic-csv', 200_000);
    expect(reading.records).toBe(200_000);
    expect(reading.last).toBe(200_001); // the header is line 1
    expect(reading.bytes).toBeGreaterThan(24 * MiB);
    expect(Math.max(...reading.heapGrowth)).toBeLessThan(64 * MiB);
    // Nothing accumulates: the heap after 200,000 records is where it was after 20,000.
    expect(reading.heapGrowth.at(-1)!).toBeLessThan(reading.heapGrowth[0]! + 4 * MiB);
  });

  it('a Workday RaaS JSON report streams with bounded memory', async () => {
    const reading = await readGenerated('workday-raas', 200_000);
    expect(reading.records).toBe(200_000);
    expect(reading.last).toBe(200_000);
    expect(reading.bytes).toBeGreaterThan(60 * MiB);
    expect(Math.max(...reading.heapGrowth)).toBeLessThan(64 * MiB);
    expect(reading.heapGrowth.at(-1)!).toBeLessThan(reading.heapGrowth[0]! + 4 * MiB);
  });
});
