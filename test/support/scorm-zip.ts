import path from 'node:path';
import { openPromise, type Entry, type ZipFile } from 'yauzl';

/** A real SCORM package from the shared fixtures, which live outside the repository and are only read. */
export function scormFixture(fileName: string): string {
  return path.resolve(__dirname, '../../../shared/fixtures/scorm', fileName);
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
