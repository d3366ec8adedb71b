import { existsSync } from 'node:fs';
import path from 'node:path';
import { openPromise, type Entry, type ZipFile } from 'yauzl';

/**
 * The shared folder of real SCORM packages, which lives outside the repository and is only read:
 * SCORM_FIXTURES_DIR if set, else `../shared/fixtures/scorm` beside the checkout, else the
 * workplace's copy (a clone elsewhere, e.g. CI's, still finds it).
 */
export const SCORM_FIXTURES = [process.env.SCORM_FIXTURES_DIR, path.resolve(__dirname, '../../../shared/fixtures/scorm'), '/work/shared/fixtures/scorm'].find(
  (dir): dir is string => dir !== undefined && existsSync(dir),
) ?? path.resolve(__dirname, '../../../shared/fixtures/scorm');

/** A real SCORM package from the shared fixtures. */
export function scormFixture(fileName: string): string {
  return path.join(SCORM_FIXTURES, fileName);
}

/** The names of a zip's entries (folders included, as the zip spells them). */
export async function zipEntryNames(zipPath: string): Promise<Set<string>> {
  return withZip(zipPath, async (zip) => {
    const names = new Set<string>();
    for await (const entry of zip.eachEntry()) names.add(entry.fileName);
    return names;
  });
}

/** One entry of a zip, whole. */
export async function readZipEntry(zipPath: string, entryName: string): Promise<Buffer> {
  return withZip(zipPath, async (zip) => {
    let found: Entry | undefined;
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName === entryName) {
        found = entry;
        break;
      }
    }
    if (!found) throw new Error(`${zipPath} has no entry ${entryName}`);
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(found)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  });
}

async function withZip<T>(zipPath: string, use: (zip: ZipFile) => Promise<T>): Promise<T> {
  const zip = await openPromise(zipPath, { autoClose: false });
  try {
    return await use(zip);
  } finally {
    zip.close();
  }
}
