import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sleep } from './processes';

/** This process and its parents (npm, tsx): their command lines name this benchmark, not another. */
function ancestors(): Set<number> {
  const pids = new Set<number>();
  for (let pid = process.pid; pid > 1 && !pids.has(pid); ) {
    pids.add(pid);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return pids;
}

function otherBenchmarks(): string[] {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-af', 'bench/'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const mine = ancestors();
  return out
    .split('\n')
    .filter(Boolean)
    .filter((line) => !mine.has(Number(line.split(' ')[0])))
    .filter((line) => /bench\/[\w-]+\.ts/.test(line) && !/^\d+ (grep|pgrep|sh -c|bash -c)\b/.test(line));
}

/** Waits until no other benchmark runs: it would share these cores and skew both figures. */
export async function waitForQuietMachine(what?: string): Promise<void> {
  let said = -Infinity;
  for (;;) {
    const others = otherBenchmarks();
    if (others.length === 0) return;
    if (performance.now() - said > 60_000) {
      console.log(`waiting${what ? ` before ${what}` : ''}: another benchmark runs (${others.map((line) => line.slice(0, 100)).join('; ')})`);
      said = performance.now();
    }
    await sleep(10_000);
  }
}
