/**
 * SCORM in trainhub as deployed — an `api` process of `src/main.ts` (its own process, so its memory
 * and CPU can be read), a Temporal dev server started by the script, the local PostgreSQL — each
 * figure beside a baseline measured in the same run:
 *
 *   npm run bench:scorm -- [sizes in MiB=50,200] [people=200] [commits per person=20] [concurrency=16]
 *
 * 1. Import of a package with many files (a Storyline-sized course: ten SCOs' pages, scripts, styles,
 *    images, and videos making up the size), generated here and written to disk as it is zipped.
 *    Timed through `POST /api/v1/courses/:key/scorm-packages` (the body streamed from the file) and
 *    through the CLI `trainhub import-scorm`, against a plain copy of the zip and `unzip -q` of it.
 *    The peak resident memory of the API (and of the CLI) during each import: the kernel's high-water
 *    mark (VmHWM, reset before the import), so a package twice the size showing the same peak shows
 *    the import streams.
 * 2. The player's commits: `people` people, each with an open attempt at two courses (launched
 *    through the launch link `GET /people/:id/assignments` gives, as a browser does), post
 *    scorm-again's full CMI (built by scorm-again itself, as the player sends it), each a later seq,
 *    `concurrency` at a time to `POST /scorm/commits`; against single-row INSERTs of the same rows
 *    and JSON into a table of the same shape. Once for a course of one SCO and once for one whose
 *    manifest lists thousands of files; then one completing commit per person (a completion
 *    recorded through the LMS path).
 *
 * BENCH_ONLY=import or BENCH_ONLY=commits runs one part. BENCH_PROFILE=<dir>: the API writes a V8
 * CPU profile there when it stops. Uses DATABASE_URL (default: the local trainhub database, migrated)
 * and leaves it and the disk as it found them, also when a run fails or is interrupted.
 */
import { cleanUpOnce } from './lib/clean-up';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'pg';
import type { Scorm2004API as Scorm2004Api } from 'scorm-again';
import { ZipFile } from 'yazl';
import { DEFAULT_DATABASE_URL } from '../src/config';
import { createDb } from '../src/db/client';
import { createApiClient } from '../src/services/identity/api-keys';
import { removeTenant } from '../src/services/identity/tenants';
import { startDevServer, type DevServer } from '../src/temporal/dev-server';
import { cpuMs, freePort, postgresCpuMs, ROOT, ServiceProcess, serviceEnv, sleep } from './lib/processes';
import { closedLoop, latencies, perSecond } from './lib/stats';

const SIZES_MB = (process.argv[2] ?? '50,200').split(',').map(Number);
const PEOPLE = Number(process.argv[3] ?? 200);
const COMMITS = Number(process.argv[4] ?? 20);
const CONCURRENCY = Number(process.argv[5] ?? 16);
const ONLY = process.env.BENCH_ONLY;
const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const db = createDb(databaseUrl);
const pool = new Pool({ connectionString: databaseUrl, max: CONCURRENCY });

// scorm-again's main build assigns browser globals; Node loads each API from its subpath (package exports), which this project's module resolution does not type.
const { Scorm2004API } = require('scorm-again/scorm2004') as { Scorm2004API: typeof Scorm2004Api };

const MiB = 1024 * 1024;
const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const mib = (bytes: number) => `${f1(bytes / MiB)} MiB`;

// ---------------------------------------------------------------------------------------------
// Packages: a Storyline-sized course, zipped straight to disk.

/** What a generated package holds. Text is deflated; images and videos are stored, being compressed already. */
interface PackagePlan {
  identifier: string;
  scos: number;
  pagesPerSco: number;
  scripts: number;
  styles: number;
  images: number;
  /** Bytes of video, in files of at most 48 MiB. */
  videoBytes: number;
}

interface PackageFile {
  path: string;
  size: number;
  compress: boolean;
  /** Its bytes, made when the zip writer gets to it. */
  open: () => Readable;
}

const VIDEO_FILE_BYTES = 48 * MiB;

/** A course like those authoring tools export, with `bytes` in total: its pages, scripts, styles and images, and videos for the rest. */
function courseOfSize(identifier: string, bytes: number): PackagePlan {
  const plan = { identifier, scos: 10, pagesPerSco: 100, scripts: 1200, styles: 60, images: 800, videoBytes: 0 };
  return { ...plan, videoBytes: Math.max(0, bytes - Math.round(packageFiles(plan).reduce((sum, f) => sum + f.size, 0))) };
}

/** A small deterministic generator, so a run's files are the same every time. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const WORDS = 'var function return slide layer state timeline trigger object player audio caption button quiz answer score'.split(' ');

/** Script- or markup-like text of `size` bytes (deflates about 2.5:1; minified course scripts do 3–5:1). */
function text(seed: number, size: number, prefix = ''): Buffer {
  const random = prng(seed + 1);
  const parts: string[] = [prefix];
  let length = prefix.length;
  while (length < size) {
    const word = `${WORDS[Math.floor(random() * WORDS.length)]}${Math.floor(random() * 1000)}${random() < 0.1 ? ';\n' : ' '}`;
    parts.push(word);
    length += word.length;
  }
  return Buffer.from(parts.join('').slice(0, size));
}

/** One MiB of random bytes that images and videos are cut from (they are stored, so their content does not matter). */
const NOISE = randomBytes(MiB);

/** `size` (at most half a MiB) bytes of noise, from a place that depends on `seed`. */
function noise(seed: number, size: number): Buffer {
  const at = (seed * 4099) % (MiB - size);
  return NOISE.subarray(at, at + size);
}

function packageFiles(plan: PackagePlan): PackageFile[] {
  const random = prng(plan.scos * 7919 + plan.images);
  const sized = (min: number, max: number) => Math.round(min + random() * (max - min));
  const files: PackageFile[] = [];
  const add = (filePath: string, size: number, compress: boolean, content: () => Buffer | Readable) =>
    files.push({ path: filePath, size, compress, open: () => { const made = content(); return made instanceof Readable ? made : Readable.from([made]); } });
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  for (let s = 1; s <= plan.scos; s++) {
    const index = `<!doctype html><html><head><meta charset="utf-8"><title>Lesson ${s}</title><script src="../../html5/data/js/data.js"></script></head><body><div id="app"></div></body></html>\n`;
    add(`lessons/lesson-${pad(s, 2)}/index.html`, Buffer.byteLength(index), true, () => Buffer.from(index));
    for (let p = 1; p <= plan.pagesPerSco; p++) {
      const size = sized(1_000, 6_000);
      add(`lessons/lesson-${pad(s, 2)}/page-${pad(p, 3)}.html`, size, true, () => text(s * 1000 + p, size, '<!doctype html>'));
    }
  }
  for (let i = 1; i <= plan.scripts; i++) {
    const size = sized(2_000, 12_000);
    add(`html5/data/js/${i === 1 ? 'data' : `slide-${pad(i, 4)}`}.js`, size, true, () => text(100_000 + i, size));
  }
  for (let i = 1; i <= plan.styles; i++) {
    const size = sized(1_000, 8_000);
    add(`html5/data/css/style-${pad(i, 3)}.css`, size, true, () => text(200_000 + i, size));
  }
  for (let i = 1; i <= plan.images; i++) {
    const size = sized(4_000, 40_000);
    add(`story_content/images/image-${pad(i, 4)}.png`, size, false, () => noise(i, size));
  }
  for (let left = plan.videoBytes, i = 1; left > 0; left -= VIDEO_FILE_BYTES, i++) {
    const size = Math.min(left, VIDEO_FILE_BYTES);
    add(`story_content/video/video-${pad(i, 2)}.mp4`, size, false, () => videoStream(size));
  }
  return files;
}

/** A SCORM 2004 4th Edition manifest listing every file: each SCO its pages, a shared asset resource the rest. */
function manifestOf(plan: PackagePlan, files: PackageFile[]): string {
  const lesson = (s: number) => `lessons/lesson-${String(s).padStart(2, '0')}/`;
  const fileList = (list: PackageFile[]) => list.map((f) => `      <file href="${f.path}"/>`).join('\n');
  const scos = Array.from({ length: plan.scos }, (_, i) => i + 1);
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="${plan.identifier}" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Benchmark course ${plan.identifier}</title>
${scos.map((s) => `      <item identifier="item-${s}" identifierref="sco-${s}"><title>Lesson ${s}</title></item>`).join('\n')}
    </organization>
  </organizations>
  <resources>
${scos
  .map((s) => `    <resource identifier="sco-${s}" type="webcontent" adlcp:scormType="sco" href="${lesson(s)}index.html">
${fileList(files.filter((f) => f.path.startsWith(lesson(s))))}
      <dependency identifierref="shared"/>
    </resource>`)
  .join('\n')}
    <resource identifier="shared" type="webcontent" adlcp:scormType="asset">
${fileList(files.filter((f) => !f.path.startsWith('lessons/')))}
    </resource>
  </resources>
</manifest>
`;
}

/** Writes the package's zip to `zipPath` as it is built: one small file in memory at a time, videos streamed. */
async function writePackage(zipPath: string, plan: PackagePlan): Promise<{ files: number; bytes: number; zipBytes: number; manifestBytes: number }> {
  const files = packageFiles(plan);
  const manifest = Buffer.from(manifestOf(plan, files));
  const zip = new ZipFile();
  zip.addBuffer(manifest, 'imsmanifest.xml');
  for (const file of files) zip.addReadStreamLazy(file.path, { compress: file.compress, size: file.size }, (done) => done(null, file.open()));
  zip.end();
  await pipeline(zip.outputStream as Readable, createWriteStream(zipPath));
  return { files: files.length + 1, bytes: files.reduce((sum, f) => sum + f.size, manifest.length), zipBytes: (await stat(zipPath)).size, manifestBytes: manifest.length };
}

/** `bytes` of video-like noise, a MiB at a time. */
function videoStream(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) return void this.push(null);
      const size = Math.min(MiB, bytes - sent);
      this.push(NOISE.subarray(0, size));
      sent += size;
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Memory and time of a process.

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resets the kernel's peak-RSS mark of a process to its current RSS (Linux ≥ 4.0); false when not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `run` while watching `pid`'s memory: its RSS before, and its peak during — the kernel's mark
 * when it could be reset, else the highest of samples taken every 10 ms.
 */
async function watchingMemory<T>(pid: number, run: () => Promise<T>): Promise<{ result: T; beforeKiB: number; peakKiB: number; exact: boolean }> {
  const beforeKiB = statusKiB(pid, 'VmRSS');
  const exact = resetPeak(pid);
  let sampled = beforeKiB;
  const sampler = setInterval(() => (sampled = Math.max(sampled, statusKiB(pid, 'VmRSS'))), 10);
  try {
    const result = await run();
    const peakKiB = exact ? Math.max(statusKiB(pid, 'VmHWM'), sampled) : sampled;
    return { result, beforeKiB, peakKiB, exact };
  } finally {
    clearInterval(sampler);
  }
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await run();
  return { ms: performance.now() - started, result };
}

/** Writes back dirty pages, so a step does not pay for the previous one's writes. */
const flush = () => spawnSync('sync');

/** Runs a command to its end: its wall time, and its peak RSS (its VmHWM, read every 10 ms while it runs). */
async function measureChild(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; peakKiB: number; code: number | null; stderr: string }> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  let peakKiB = 0;
  const sampler = setInterval(() => (peakKiB = Math.max(peakKiB, statusKiB(child.pid!, 'VmHWM'))), 10);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  return { ms: performance.now() - started, peakKiB, code, stderr };
}

/** POSTs a file as the request body, streamed from disk with its Content-Length (as curl --data-binary @file does). */
async function postFile(url: string, headers: Record<string, string>, file: string): Promise<{ status: number; body: any }> {
  const { size } = await stat(file);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': size } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    pipeline(createReadStream(file), req).catch(reject);
  });
}

// ---------------------------------------------------------------------------------------------
// The learner's side: scorm-again building each commit as the player sends it.

/**
 * Bodies a learner's player posts over one session, built by scorm-again from the CMI the launch
 * page gave it: each commit moves to the next slide, adds session time and suspend data, and from
 * the third on answers a quiz question (an interaction); with `complete`, one more commit finishes
 * the SCO (completed, passed, scored, terminated).
 */
function learnerCommits(token: string, launchCmi: Record<string, unknown>, count: number, complete: boolean): string[] {
  const api = new Scorm2004API({ autocommit: false, lmsCommitUrl: false, logLevel: 5 });
  api.loadFromJSON(launchCmi as never);
  const set = (element: string, value: string) => {
    if (api.SetValue(element, value) !== 'true') throw new Error(`scorm-again refused ${element} = ${value}: ${api.GetLastError()} ${api.GetErrorString(api.GetLastError())}`);
  };
  if (api.Initialize('') !== 'true') throw new Error(`scorm-again did not initialise: ${api.GetLastError()}`);
  const random = prng([...token].reduce((hash, c) => (hash * 31 + c.charCodeAt(0)) >>> 0, 7));
  const state: string[] = [];
  const bodies: string[] = [];
  const commit = (seq: number, terminated: boolean) => bodies.push(JSON.stringify({ token, seq, terminated, cmi: (api.renderCommitCMI(false) as { cmi: unknown }).cmi }));
  for (const [n, id] of ['objective-intro', 'objective-practice', 'objective-quiz'].entries()) {
    set(`cmi.objectives.${n}.id`, id);
    set(`cmi.objectives.${n}.completion_status`, 'incomplete');
  }
  set('cmi.exit', 'suspend');
  for (let k = 1; k <= count; k++) {
    set('cmi.location', `slide-${k}`);
    set('cmi.completion_status', 'incomplete');
    set('cmi.progress_measure', (k / (count + 1)).toFixed(2));
    set('cmi.session_time', `PT${k * 41}S`);
    // Storyline keeps the slide states as one compressed string: about 150 characters a slide.
    state.push(Array.from({ length: 150 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(random() * 36)]).join(''));
    set('cmi.suspend_data', state.join('').slice(-4000));
    if (k >= 3) {
      const n = k - 3;
      const answer = 'abcd'[Math.floor(random() * 4)]!;
      set(`cmi.interactions.${n}.id`, `question-${k}`);
      set(`cmi.interactions.${n}.type`, 'choice');
      set(`cmi.interactions.${n}.description`, `Question ${k}: which precaution applies first?`);
      set(`cmi.interactions.${n}.timestamp`, `2026-11-29T10:${String(k % 60).padStart(2, '0')}:00`);
      set(`cmi.interactions.${n}.correct_responses.0.pattern`, 'b');
      set(`cmi.interactions.${n}.learner_response`, answer);
      set(`cmi.interactions.${n}.result`, answer === 'b' ? 'correct' : 'incorrect');
      set(`cmi.interactions.${n}.latency`, `PT${10 + Math.floor(random() * 50)}S`);
      set(`cmi.interactions.${n}.weighting`, '1');
      set('cmi.score.raw', String(k - 2));
    }
    commit(k, false);
  }
  if (complete) {
    set('cmi.completion_status', 'completed');
    set('cmi.success_status', 'passed');
    set('cmi.score.scaled', '0.85');
    set('cmi.score.min', '0');
    set('cmi.score.max', String(Math.max(1, count - 2)));
    set('cmi.exit', 'normal');
    set('cmi.session_time', `PT${(count + 1) * 41}S`);
    commit(count + 1, true);
  }
  return bodies;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const work = await mkdtemp(path.join(os.tmpdir(), 'trainhub-bench-scorm-'));
  const store = path.join(work, 'store');
  let temporal: DevServer | null = null;
  let api: ServiceProcess | null = null;
  let tenantId: string | null = null;
  // Everything this run made goes, whether it ends, fails or is interrupted (Ctrl-C); a step that fails
  // is reported and the others still run, so no server outlives the script.
  const cleanUp = cleanUpOnce(
    (): [string, () => Promise<unknown>][] => [
      ['stopping the API', async () => api?.stop()],
      ['dropping bench_scorm_commit', () => pool.query('DROP TABLE IF EXISTS bench_scorm_commit')],
      [`removing tenant ${tenantId} (retry: node_modules/.bin/tsx bench/remove-tenant.ts ${tenantId})`, async () => tenantId && removeTenant(db, tenantId)],
      ['stopping the Temporal dev server', async () => temporal?.stop()],
      [`removing ${work}`, () => rm(work, { recursive: true, force: true })],
      ['closing the database connections', () => Promise.all([pool.end(), db.$disconnect()])],
    ],
    "removing the benchmark's tenant, table and files",
  );

  try {
    const [{ version }] = (await db.$queryRaw<{ version: string }[]>`SELECT current_setting('server_version') AS version`) as [{ version: string }];
    const [{ migrated }] = (await db.$queryRaw<{ migrated: boolean }[]>`SELECT to_regclass('scorm_commit') IS NOT NULL AS migrated`) as [{ migrated: boolean }];
    if (!migrated) throw new Error('The database has no SCORM tables: run `tools/prisma.sh migrate deploy` first');
    temporal = await startDevServer({ port: await freePort() });
    const tenant = await db.tenant.create({ data: { slug: `bench-scorm-${randomUUID()}`, name: 'SCORM benchmark' } });
    tenantId = tenant.id;
    const t = tenant.id;
    const { key } = await createApiClient(db, { tenantId: t, name: 'bench', scopes: ['catalog:write', 'catalog:read', 'people:read'] });
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = serviceEnv({ databaseUrl, temporalAddress: temporal.address, taskQueue: `bench-scorm-${randomUUID()}`, port }, { PUBLIC_URL: baseUrl, API_PROCESSES: '1', SCORM_STORAGE_DIR: store });
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    api = new ServiceProcess(['src/main.ts', 'api'], env, profile);
    api.start();
    const by = Date.now() + 120_000;
    while (!(await fetch(`${baseUrl}/health`).then((r) => r.ok, () => false))) {
      if (!api.alive || Date.now() > by) throw new Error(`the API did not start:\n${api.lastError}`);
      await sleep(100);
    }
    const apiPid = api.pid;
    const startedKiB = statusKiB(apiPid, 'VmRSS');

    // The catalog: one program with the two courses people take in the player, and the course imports go to.
    const program = await db.program.create({ data: { tenantId: t, key: 'scorm-bench', title: 'SCORM benchmark' } });
    const courses: Record<'one' | 'many' | 'imports', string> = { one: 'scorm-one-sco', many: 'scorm-many-files', imports: 'scorm-imports' };
    for (const [position, courseKey] of Object.values(courses).entries()) {
      const course = await db.course.create({ data: { tenantId: t, key: courseKey, title: courseKey } });
      if (courseKey !== courses.imports) await db.programCourse.create({ data: { tenantId: t, programId: program.id, courseId: course.id, position } });
    }

    const imported = async (zipPath: string, courseKey: string) => {
      const answer = await postFile(`${baseUrl}/api/v1/courses/${courseKey}/scorm-packages`, { authorization: `Bearer ${key}`, 'content-type': 'application/zip' }, zipPath);
      if (answer.status !== 201) throw new Error(`import of ${path.basename(zipPath)} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`);
      return answer.body as { id: string; version: number; fileCount: number };
    };

    const zips = path.join(work, 'zips');
    await mkdir(zips);
    // The course of one SCO; importing it also loads the import's code into the API before anything is measured.
    const onePlan: PackagePlan = { identifier: 'bench.one-sco', scos: 1, pagesPerSco: 0, scripts: 0, styles: 0, images: 0, videoBytes: 0 };
    const one = await writePackage(path.join(zips, 'one-sco.zip'), onePlan);
    // The first request that reads the database loads Prisma's query machinery: its memory is not the import's.
    const firstCall = await fetch(`${baseUrl}/api/v1/courses/${courses.one}/scorm-packages`, { headers: { authorization: `Bearer ${key}` } });
    if (firstCall.status !== 200) throw new Error(`GET /courses/:key/scorm-packages answered ${firstCall.status}`);
    const firstCallKiB = statusKiB(apiPid, 'VmRSS');
    await imported(path.join(zips, 'one-sco.zip'), courses.one);
    console.log(`SCORM: PostgreSQL ${version}; ${os.cpus().length} cores, ${f0(os.totalmem() / 1024 ** 3)} GiB; Node ${process.version}`);
    console.log(
      `one API process: RSS ${mib(startedKiB * 1024)} once it answers, ${mib(firstCallKiB * 1024)} after its first database read, ` +
        `${mib(statusKiB(apiPid, 'VmRSS') * 1024)} after importing a package of one SCO (uncounted)\n`,
    );

    const setup: Setup = { tenantId: t, tenantSlug: tenant.slug, key, baseUrl, apiPid, api, temporalPid: temporal.pid, work, store, zips, programId: program.id, courses, imported, one };
    if (ONLY !== 'commits') await measureImports(setup);
    if (ONLY !== 'import') await measureCommits(setup);
  } catch (error) {
    if (api?.lastError) console.error(`API:\n${api.lastError}`);
    throw error;
  } finally {
    await cleanUp();
  }
}

/** What both parts work with: the tenant, its API key and courses, the running API, the temporary folders. */
interface Setup {
  tenantId: string;
  tenantSlug: string;
  key: string;
  baseUrl: string;
  apiPid: number;
  api: ServiceProcess;
  temporalPid: number;
  work: string;
  store: string;
  zips: string;
  programId: string;
  courses: Record<'one' | 'many' | 'imports', string>;
  imported: (zipPath: string, courseKey: string) => Promise<{ id: string; version: number; fileCount: number }>;
  /** The one-SCO package imported at start-up. */
  one: { manifestBytes: number };
}

/** Part 1: imports of each size through the API and the CLI against copy + unzip, then the largest size in a few files. */
async function measureImports({ tenantSlug, apiPid, work, store, zips, courses, imported }: Setup): Promise<void> {
  const hasUnzip = spawnSync('unzip', ['-v']).status === 0;
  const startUp = await measureChild(process.execPath, ['--import', 'tsx', 'src/main.ts'], { DATABASE_URL: databaseUrl });
  console.log(`imports (API RSS: kernel's peak mark, reset before each import; CLI start-up — node, tsx, trainhub's modules — ${f0(startUp.ms)} ms, ${mib(startUp.peakKiB * 1024)})`);

  /** One package imported through the API (and the CLI), each step after a sync, against a copy and unzip -q of the same zip. */
  const measureImport = async (name: string, plan: PackagePlan, viaCli: boolean) => {
    const zipPath = path.join(zips, `${plan.identifier}.zip`);
    const made = await timed(() => writePackage(zipPath, plan));
    const pkg = made.result;
    console.log(`\n${name}: ${f0(pkg.files)} files, ${mib(pkg.bytes)} unpacked, zip ${mib(pkg.zipBytes)}, manifest ${f0(pkg.manifestBytes / 1024)} KiB (written in ${f0(made.ms)} ms)`);

    flush();
    const copyPath = path.join(work, 'copy.zip');
    const copy = await timed(() => pipeline(createReadStream(zipPath), createWriteStream(copyPath)));
    await rm(copyPath);
    let unzipMs = 0;
    if (hasUnzip) {
      flush();
      const unzipped = path.join(work, 'unzipped');
      const unzip = await measureChild('unzip', ['-q', zipPath, '-d', unzipped]);
      if (unzip.code !== 0) throw new Error(`unzip failed: ${unzip.stderr}`);
      unzipMs = unzip.ms;
      await rm(unzipped, { recursive: true });
    }
    const baselineMs = copy.ms + unzipMs;
    console.log(`  baseline: copy of the zip ${f0(copy.ms)} ms${hasUnzip ? `, unzip -q ${f0(unzipMs)} ms, together ${f0(baselineMs)} ms` : ' (no unzip on this machine)'}`);

    flush();
    const viaApi = await watchingMemory(apiPid, () => timed(() => imported(zipPath, courses.imports)));
    if (viaApi.result.result.fileCount !== pkg.files) throw new Error(`the API imported ${viaApi.result.result.fileCount} files of ${pkg.files}`);
    console.log(
      `  POST /courses/:key/scorm-packages  ${f0(viaApi.result.ms).padStart(6)} ms  ${f1(perSecond(pkg.zipBytes / MiB, viaApi.result.ms)).padStart(6)} MiB/s  ${f2(viaApi.result.ms / baselineMs)}× the baseline; ` +
        `API RSS ${mib(viaApi.beforeKiB * 1024)} before, peak ${mib(viaApi.peakKiB * 1024)} (+${f1((viaApi.peakKiB - viaApi.beforeKiB) / 1024)} MiB)${viaApi.exact ? '' : ' (sampled every 10 ms)'}`,
    );

    if (viaCli) {
      flush();
      const cli = await measureChild(process.execPath, ['--import', 'tsx', 'src/main.ts', 'import-scorm', zipPath, '--tenant', tenantSlug, '--course', courses.imports], { DATABASE_URL: databaseUrl, SCORM_STORAGE_DIR: store });
      if (cli.code !== 0) throw new Error(`trainhub import-scorm failed: ${cli.stderr}`);
      console.log(
        `  trainhub import-scorm (CLI)        ${f0(cli.ms).padStart(6)} ms  ${f1(perSecond(pkg.zipBytes / MiB, cli.ms - startUp.ms)).padStart(6)} MiB/s  ${f2((cli.ms - startUp.ms) / baselineMs)}× the baseline after start-up; peak RSS ${mib(cli.peakKiB * 1024)}`,
      );
    }
    await rm(zipPath);
    return { files: pkg.files, apiMs: viaApi.result.ms, unzipMs, peakMiB: viaApi.peakKiB / 1024 };
  };

  const results = [];
  for (const sizeMb of SIZES_MB) results.push(await measureImport(`package of ${sizeMb} MiB`, courseOfSize(`bench.course-${sizeMb}`, sizeMb * MiB), true));
  console.log(`\n  the API's peak RSS during each import: ${results.map((r, i) => `${SIZES_MB[i]} MiB: ${f1(r.peakMiB)} MiB`).join(', ')}`);

  // What the files cost: the largest package again, its bytes in a few files (the SCOs' pages and the videos).
  const largest = Math.max(...SIZES_MB);
  const withFiles = results[SIZES_MB.indexOf(largest)]!;
  const few = await measureImport(`the same ${largest} MiB in a few files`, { identifier: `bench.few-files-${largest}`, scos: 10, pagesPerSco: 0, scripts: 0, styles: 0, images: 0, videoBytes: largest * MiB }, false);
  const more = withFiles.files - few.files;
  const perFile = (ms: number) => `${f0(ms)} ms (${f2(ms / more)} ms per file)`;
  console.log(`\n  ${f0(more)} more files of the same bytes cost the API import ${perFile(withFiles.apiMs - few.apiMs)}${hasUnzip ? `, unzip -q ${perFile(withFiles.unzipMs - few.unzipMs)}` : ''}`);
}

/** Part 2: people open both courses in the player and commit; against bare INSERTs of the same rows. */
async function measureCommits({ tenantId: t, key, baseUrl, api, temporalPid, zips, programId, courses, imported, one }: Setup): Promise<void> {
  // The course whose manifest lists thousands of files (no videos: they change nothing for commits).
  const many = await writePackage(path.join(zips, 'many-files.zip'), courseOfSize('bench.many-files', 0));
  await imported(path.join(zips, 'many-files.zip'), courses.many);
  await rm(zips, { recursive: true });

  // People and their assignment to the program, written directly (the matrix sync is another benchmark's).
  await db.$executeRaw`INSERT INTO person (id, tenant_id, source, external_id, email, name, hire_date, updated_at)
    SELECT gen_random_uuid(), ${t}::uuid, 'bench', 'S' || n, 's' || n || '@bench.example', 'Learner ' || n, current_date, now() FROM generate_series(1, ${PEOPLE}::int) n`;
  await db.$executeRaw`INSERT INTO assignment (id, tenant_id, person_id, program_id, mandatory, source, due_date, updated_at)
    SELECT gen_random_uuid(), ${t}::uuid, p.id, ${programId}::uuid, true, 'bench', current_date + 14, now() FROM person p WHERE p.tenant_id = ${t}::uuid`;
  const people = (await db.person.findMany({ where: { tenantId: t }, select: { id: true }, orderBy: { externalId: 'asc' } })).map((p) => p.id);

  // Each person opens both courses as a browser does: the launch links from their assignments, then the player page.
  type Session = { token: string; cmi: Record<string, unknown> };
  const sessions = new Map<string, Session>();
  const openPlayer = async (url: string): Promise<Session> => {
    const response = await fetch(url.replace(/^https?:\/\/[^/]+/, baseUrl));
    const html = await response.text();
    const json = /<script type="application\/json" id="scorm-launch">([^<]*)<\/script>/.exec(html)?.[1];
    if (response.status !== 200 || !json) throw new Error(`the player answered ${response.status}: ${html.slice(0, 300)}`);
    const launch = JSON.parse(json);
    return { token: launch.token, cmi: launch.cmi };
  };
  const launchLatency: number[] = [];
  const listLatency: number[] = [];
  await closedLoop(people.length, CONCURRENCY, async (i) => {
    const listed = performance.now();
    const response = await fetch(`${baseUrl}/api/v1/people/${people[i]}/assignments`, { headers: { authorization: `Bearer ${key}` } });
    listLatency.push(performance.now() - listed);
    const body = (await response.json()) as { data: { courses: { key: string; launchUrl: string | null }[] }[] };
    for (const course of body.data.flatMap((a) => a.courses)) {
      const started = performance.now();
      sessions.set(`${course.key}/${i}`, await openPlayer(course.launchUrl!));
      launchLatency.push(performance.now() - started);
    }
  });
  if (sessions.size !== 2 * people.length) throw new Error(`${sessions.size} player sessions opened for ${people.length} people and 2 courses`);
  console.log(`\ncommits: ${f0(people.length)} people, each with an open attempt at two SCORM 2004 4th Edition courses; ${CONCURRENCY} at a time`);
  console.log(`  GET /people/:id/assignments one ${latencies(listLatency)}; GET /scorm/launch/:token (player page) one ${latencies(launchLatency)}`);

  // Every body, built before anything is timed: seq 1 warms the path up (uncounted), seq 2…COMMITS+1 are measured.
  const bodiesOf = (courseKey: string, complete: boolean) => people.map((_, i) => {
    const session = sessions.get(`${courseKey}/${i}`)!;
    return learnerCommits(session.token, session.cmi, COMMITS + 1, complete);
  });
  const oneBodies = bodiesOf(courses.one, true);
  const manyBodies = bodiesOf(courses.many, false);
  const sizes = oneBodies.flatMap((b) => b.slice(1, COMMITS + 1)).map((b) => Buffer.byteLength(b)).sort((a, b) => a - b);
  console.log(`  each commit is scorm-again's full CMI (renderCommitCMI): ${f1(sizes[0]! / 1024)}–${f1(sizes.at(-1)! / 1024)} KiB, median ${f1(sizes[Math.floor(sizes.length / 2)]! / 1024)} KiB`);

  const cpu = () => ({ api: api.cpuMs(), postgres: postgresCpuMs(), temporal: cpuMs(temporalPid), bench: (process.cpuUsage().user + process.cpuUsage().system) / 1000 });
  type Cpu = ReturnType<typeof cpu>;
  const perItem = (before: Cpu, after: Cpu, items: number, which: (keyof Cpu)[]) => which.map((k) => `${k} ${f2((after[k] - before[k]) / items)}`).join(', ') + ' ms CPU per item';
  const post = async (body: string) => {
    const response = await fetch(`${baseUrl}/scorm/commits`, { method: 'POST', headers: { 'content-type': 'application/json;charset=UTF-8' }, body });
    const answer = (await response.json()) as { result: boolean; applied: boolean; attempt: { state: string } };
    if (response.status !== 200 || !answer.result) throw new Error(`commit answered ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`);
    return answer;
  };
  /** Everyone's commits `from` … `to` - 1, a round at a time: consecutive posts are different people's, so each person's arrive in order. */
  const commitRounds = async (bodies: string[][], from: number, to: number) => {
    const perRound = people.length;
    let applied = 0;
    let ended = 0;
    const started = performance.now();
    const latency = await closedLoop((to - from) * perRound, CONCURRENCY, async (i) => {
      const answer = await post(bodies[i % perRound]![from + Math.floor(i / perRound)]!);
      if (answer.applied) applied += 1;
      if (answer.attempt.state !== 'open') ended += 1;
    });
    return { ms: performance.now() - started, latency, applied, ended, count: (to - from) * perRound };
  };
  await commitRounds(oneBodies, 0, 1);
  await commitRounds(manyBodies, 0, 1);

  // Baseline: the same rows and JSON, one INSERT each, into a table of the same shape.
  const attemptOf = (body: string) => (JSON.parse(body) as { token: string }).token.split('.')[0]!;
  await pool.query('CREATE TABLE bench_scorm_commit (LIKE scorm_commit INCLUDING DEFAULTS INCLUDING INDEXES)');
  const rows = oneBodies.flatMap((bodies) => bodies.slice(1, COMMITS + 1).map((body) => {
    const parsed = JSON.parse(body) as { seq: number; terminated: boolean; cmi: unknown };
    return [attemptOf(body), 'item-1', 1, parsed.seq, parsed.terminated, JSON.stringify(parsed.cmi)];
  }));
  // Round-robin over people, as the commits are sent.
  const ordered = Array.from({ length: rows.length }, (_, i) => rows[(i % people.length) * COMMITS + Math.floor(i / people.length)]!);
  const before = cpu();
  const started = performance.now();
  const bareLatency = await closedLoop(ordered.length, CONCURRENCY, (i) =>
    pool.query('INSERT INTO bench_scorm_commit (attempt_id, item, session, seq, terminated, applied, cmi) VALUES ($1, $2, $3, $4, $5, false, $6::jsonb)', ordered[i]),
  );
  const bareMs = performance.now() - started;
  const after = cpu();
  const bareRate = perSecond(ordered.length, bareMs);
  console.log(`\n  baseline: single-row INSERT of the same rows, ${CONCURRENCY} at a time  ${f0(bareRate).padStart(6)}/s  (${f0(ordered.length)} rows; one ${latencies(bareLatency)})`);
  console.log(`    ${perItem(before, after, ordered.length, ['postgres', 'bench'])}`);

  const measured = async (label: string, bodies: string[][], from: number, to: number) => {
    const b = cpu();
    const result = await commitRounds(bodies, from, to);
    const a = cpu();
    const rate = perSecond(result.count, result.ms);
    console.log(`  ${label.padEnd(58)} ${f0(rate).padStart(6)}/s  (${f2(rate / bareRate)}× the baseline; ${f0(result.count)} commits, ${f0(result.applied)} applied, ${f0(result.ended)} ended the attempt; one ${latencies(result.latency)})`);
    const busy = (k: keyof Cpu) => `${k} ${f0(((a[k] - b[k]) / result.ms) * 100)} %`;
    console.log(`    ${perItem(b, a, result.count, ['api', 'postgres', 'temporal', 'bench'])}; busy, in % of one core: ${(['api', 'postgres', 'bench'] as const).map(busy).join(', ')}`);
  };
  await measured(`POST /scorm/commits, one SCO (manifest ${f1(one.manifestBytes / 1024)} KiB)`, oneBodies, 1, COMMITS + 1);
  await measured(`POST /scorm/commits, ${f0(many.files)} files listed (manifest ${f0(many.manifestBytes / 1024)} KiB)`, manyBodies, 1, COMMITS + 1);
  await measured('POST /scorm/commits completing the course (completion recorded)', oneBodies, COMMITS + 1, COMMITS + 2);
  const [{ completions, wakeUps }] = (await db.$queryRaw<{ completions: bigint; wakeUps: bigint }[]>`
    SELECT (SELECT count(*) FROM completion WHERE tenant_id = ${t}::uuid AND source = 'scorm') AS completions,
           (SELECT count(*) FROM process_command WHERE tenant_id = ${t}::uuid) AS "wakeUps"`) as [{ completions: bigint; wakeUps: bigint }];
  // The program holds both courses, so completing one wakes no training process (that cost is the throughput benchmark's).
  console.log(`    ${completions} completions recorded for ${people.length} people; ${wakeUps} process wake-ups (the program's other course is still open)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
