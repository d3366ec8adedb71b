/**
 * Extracts a package into a folder and prints, as JSON, what JavaScript held (heap and buffers after a
 * full collection) before and at most during the extraction. Run in a process of its own
 * (node --expose-gc --import tsx …) so that the figures are the extraction's, not a test runner's:
 *   extract-package.ts <zip> <folder>
 */
import { openPackageArchive } from '../../../src/connectors/scorm/package-archive';

const [zipPath, dir] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !zipPath || !dir) throw new Error('usage: node --expose-gc --import tsx extract-package.ts <zip> <folder>');

const held = () => {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
};

void (async () => {
  const archive = await openPackageArchive(zipPath);
  const before = held();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, held())), 50);
  try {
    const extracted = await archive.extractTo(dir);
    peak = Math.max(peak, held());
    process.stdout.write(JSON.stringify({ ...extracted, before, peak }));
  } finally {
    clearInterval(sampler);
    await archive.close();
  }
})();
