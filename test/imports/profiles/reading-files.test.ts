import { PassThrough, Readable } from 'node:stream';
import { JsonRecordsScanner } from '../../../src/connectors/hcm/json-records';
import { BUILT_IN_PROFILES, parseProfileDefinition, readCompletions, readRecords, UnreadableFile, type ProfileDefinition } from '../../../src/connectors/hcm/read';
import type { ProfileInput } from '../../../src/connectors/hcm/profile';
import type { ReadResult, WorkerRecord } from '../../../src/connectors/hcm/records';

/**
 * How files are read, whatever the vendor: CSV (encodings, delimiters, headers, quoting, line numbers)
 * and JSON (the records array found by its path, streamed), the row errors a bad record gives, and
 * the files refused as a whole (UnreadableFile).
 */

const TODAY = '2026-11-28';
const HEADER = 'external_id,email,name,department,location,manager_external_id,roles,hire_date,termination_date,status';

function profile(input: ProfileInput): ProfileDefinition {
  const parsed = parseProfileDefinition(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.definition;
}

/** The bytes in small chunks, so records, strings and characters are split across them. */
function chunked(content: string | Buffer, size = 7): Readable {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

async function all<T>(results: AsyncIterable<ReadResult<T>>): Promise<ReadResult<T>[]> {
  const out: ReadResult<T>[] = [];
  for await (const result of results) out.push(result);
  return out;
}

const readCsv = (content: string | Buffer, definition = BUILT_IN_PROFILES['generic-csv']!) => all(readRecords(definition, chunked(content), { today: TODAY }));
const readWorkday = (content: string) => all(readRecords(BUILT_IN_PROFILES['workday-raas']!, chunked(content, 5), { today: TODAY }));

const lines = (...rows: string[]) => `${rows.join('\n')}\n`;
const ids = (results: ReadResult<WorkerRecord>[]) => results.map((r) => ('error' in r ? `${r.line}:error` : `${r.line}:${r.externalId}`));

describe('CSV', () => {
  it('numbers records by the line they start on: blank lines, quoted line breaks, CRLF', async () => {
    const results = await readCsv(
      [HEADER, '1,a@example.com,Ann Lee,ICU,,,,,,', '', '2,b@example.com,"Bo', 'Chen",ICU,,,,,,', '3,c@example.com,Cy Dee,"ICU, North",,,,,,', ''].join('\r\n'),
    );
    expect(ids(results)).toEqual(['2:1', '4:2', '6:3']);
    expect(results[1]).toMatchObject({ name: 'Bo\r\nChen' });
    expect(results[2]).toMatchObject({ department: 'ICU, North' });
  });

  it('skips lines made of empty fields (a spreadsheet’s trailing rows) but refuses a short or long record', async () => {
    const results = await readCsv(lines(HEADER, '1,a@example.com,Ann Lee,,,,,,,', ',,,,,,,,,', '2,b@example.com,Bo Chen', '3,c@example.com,Cy Dee,,,,,,,,,extra'));
    expect(results).toEqual([
      expect.objectContaining({ line: 2, externalId: '1' }),
      { line: 4, error: 'has 3 fields where the header has 10', externalId: '2' },
      { line: 5, error: 'has 12 fields where the header has 10', externalId: '3' },
    ]);
  });

  it('matches header names trimmed and in any case, in any order; optional columns may be absent', async () => {
    const results = await readCsv(lines(' Name , EMAIL,External_ID', 'Ann Lee,ANN@Example.com,7'));
    expect(results).toEqual([
      {
        line: 2,
        externalId: '7',
        email: 'ann@example.com',
        name: 'Ann Lee',
        department: null,
        location: null,
        managerExternalId: null,
        roles: [],
        hireDate: null,
        terminationDate: null,
        status: 'active',
        effectiveDate: null,
      },
    ]);
  });

  it('refuses a file without a column the profile needs, naming it', async () => {
    await expect(readCsv(lines('id,mail,full_name', '1,a@example.com,Ann'))).rejects.toThrow(
      new UnreadableFile('The file lacks the columns "external_id", "name", "email" that the profile reads (its header: id, mail, full_name)'),
    );
  });

  it('refuses a header naming a needed column twice', async () => {
    await expect(readCsv(lines('external_id,email,name,email', '1,a@example.com,Ann,b@example.com'))).rejects.toThrow(/names "email" more than once/);
  });

  it('refuses an empty file, and reads a header alone as no records', async () => {
    await expect(readCsv('')).rejects.toThrow(new UnreadableFile('The file is empty: it has no header line'));
    expect(await readCsv(`${HEADER}\r\n`)).toEqual([]);
  });

  it('refuses broken quoting instead of guessing where records end, naming the line it starts on', async () => {
    await expect(readCsv(lines(HEADER, '1,a@example.com,"Ann,,,,,,,,', '2,b@example.com,Bo,,,,,,,'))).rejects.toThrow('The file is not readable as CSV from line 2 on: Quoted field unterminated');
    await expect(readCsv(lines(HEADER, '2,b@example.com,Bo,,,,,,,', '', '1,a@example.com,"Ann" Lee,,,,,,,'))).rejects.toThrow('The file is not readable as CSV from line 4 on: Trailing quote on quoted field is malformed');
  });

  it('refuses a quote never closed once its record runs past 1 MiB, without reading the rest of the file', async () => {
    let sent = 0;
    // 64 MiB of rows after the stray quote, produced only as they are asked for.
    const rows = (function* () {
      yield Buffer.from(lines(HEADER, '1,a@example.com,"Ann,,,,,,,,'));
      for (let i = 0; i < 64 * 1024; i++) {
        sent += 1024;
        yield Buffer.from(`${'x'.repeat(1022)}\r\n`);
      }
    })();
    await expect(all(readRecords(BUILT_IN_PROFILES['generic-csv']!, Readable.from(rows), { today: TODAY }))).rejects.toThrow(
      'The file is not readable as CSV from line 2 on: a record runs on for more than 1048576 characters (is a quote not closed?)',
    );
    expect(sent).toBeLessThan(4 * 1024 * 1024);
  });

  it('refuses JSON given to a CSV profile (its header lacks every column)', async () => {
    await expect(readCsv('{"Report_Entry": []}')).rejects.toThrow(UnreadableFile);
  });

  it('reads UTF-16LE with a byte-order mark (Excel’s "Unicode text"), tab-delimited', async () => {
    const tabbed = profile({ ...structuredClone(BUILT_IN_PROFILES['generic-csv']!), csv: { delimiter: '\t', optionalColumns: BUILT_IN_PROFILES['generic-csv']!.csv!.optionalColumns } });
    const text = `\uFEFFexternal_id\temail\tname\r\n1\tzoe@example.com\tZoë Ångström\r\n`;
    const results = await readCsv(Buffer.from(text, 'utf16le'), tabbed);
    expect(results).toEqual([expect.objectContaining({ line: 2, externalId: '1', name: 'Zoë Ångström' })]);
  });

  it('reads Latin-1 when the profile says so, and flags undecodable bytes when it does not', async () => {
    const bytes = Buffer.from(`external_id;email;name\n1;jose@example.com;José Núñez\n`, 'latin1');
    const latin1 = profile({ ...structuredClone(BUILT_IN_PROFILES['generic-csv']!), csv: { delimiter: ';', encoding: 'latin1', optionalColumns: BUILT_IN_PROFILES['generic-csv']!.csv!.optionalColumns } });
    expect(await readCsv(bytes, latin1)).toEqual([expect.objectContaining({ name: 'José Núñez' })]);
    const utf8 = profile({ ...structuredClone(latin1), csv: { ...latin1.csv!, encoding: 'utf-8' } });
    expect(await readCsv(bytes, utf8)).toEqual([{ line: 2, externalId: '1', error: expect.stringContaining("name: contains U+FFFD (bytes that could not be decoded: is the file's encoding the profile's?)") }]);
  });

  it('skips lines before the header, and reads files without one by the profile’s column names', async () => {
    const titled = profile({ ...structuredClone(BUILT_IN_PROFILES['generic-csv']!), csv: { skipLines: 2, optionalColumns: BUILT_IN_PROFILES['generic-csv']!.csv!.optionalColumns } });
    expect(ids(await readCsv(lines('Northwind "people" export, ŋ', 'generated 2026-11-20', 'external_id,email,name', '1,a@example.com,Ann', '2,b@example.com,Bo'), titled))).toEqual(['4:1', '5:2']);
    // In UTF-16 too, where a line feed is two bytes (and Ċ, U+010A, holds a 0A byte that is not one).
    const utf16 = profile({ ...structuredClone(titled), csv: { ...titled.csv!, encoding: 'utf-16le' } });
    const text = Buffer.from(`\uFEFFĊ title\r\n\r\nexternal_id,email,name\r\n1,a@example.com,Ċara\r\n`, 'utf16le');
    for (const size of [1, 2, 3, 5]) {
      expect(await all(readRecords(utf16, chunked(text, size), { today: TODAY }))).toEqual([expect.objectContaining({ line: 4, externalId: '1', name: 'Ċara' })]);
    }
    const headless = profile({
      kind: 'people',
      format: 'csv',
      csv: { header: false, columns: ['id', 'mail', 'who'] },
      fields: { externalId: { from: 'id' }, email: { from: 'mail' }, name: { from: 'who' } },
    });
    expect(ids(await readCsv(lines('1,a@example.com,Ann', '2,b@example.com,Bo'), headless))).toEqual(['1:1', '2:2']);
  });

  it('refuses text a field cannot hold: control characters, over-long values, bad e-mail addresses', async () => {
    const long = 'x'.repeat(301);
    const results = await readCsv(lines(HEADER, `1,a@example.com,Ann\u0001Lee,,,,,,,`, `2,b@example.com,${long},,,,,,,`, `3,not-an-address,Cy,,,,,,,`, `${'9'.repeat(201)},d@example.com,Di,,,,,,,`));
    expect(results).toEqual([
      { line: 2, externalId: '1', error: 'name: contains a control character (U+0001)' },
      { line: 3, externalId: '2', error: 'name: is longer than 300 characters' },
      { line: 4, externalId: '3', error: 'email: "not-an-address" is not an e-mail address' },
      { line: 5, externalId: null, error: 'external_id: is longer than 200 characters' },
    ]);
  });

  it('names every problem of a row, and the worker when the external id is readable', async () => {
    const results = await readCsv(lines(HEADER, '5,,,ICU,,,,2026-02-29,31.12.2026,retired'));
    expect(results).toEqual([
      {
        line: 2,
        externalId: '5',
        error:
          'name: missing; hire_date: "2026-02-29" is not a date (no such day); termination_date: "31.12.2026" is not a date (YYYY-MM-DD); status: "retired" is not a known status (active, on_leave, on leave, leave, terminated, inactive)',
      },
    ]);
  });

  it('stops reading, and releases the file, when the caller stops', async () => {
    const input = new PassThrough();
    input.write(`${HEADER}\n1,a@example.com,Ann,,,,,,,\n2,b@example.com,Bo,,,,,,,\n`);
    for await (const result of readRecords(BUILT_IN_PROFILES['generic-csv']!, input, { today: TODAY })) {
      expect(result).toMatchObject({ externalId: '1' });
      break;
    }
    expect(input.destroyed).toBe(true);
  });

  it('passes a failure of the input on as it is (the run retries it), not as an unreadable file', async () => {
    const failure = new Error('connection reset while reading the chunk');
    const input = new Readable({
      read() {
        this.push(`${HEADER}\n1,a@example.com,Ann,,,,,,,\n`);
        this.destroy(failure);
      },
    });
    await expect(all(readRecords(BUILT_IN_PROFILES['generic-csv']!, input, { today: TODAY }))).rejects.toBe(failure);
  });
});

describe('JSON', () => {
  const entry = (id: string, extra: Record<string, unknown> = {}) => ({ Employee_ID: id, Worker: `Worker ${id}`, Email_Address: `w${id}@example.com`, ...extra });

  it('finds the records by their path wherever they are in the document, numbering entries from 1', async () => {
    const document = { Report_Title: 'All workers [active] {and terminated}', Report_Entry: [entry('1'), entry('2', { Worker: 'Zoë "Zed" \\ Ångström ✓ [x]' })], Report_Has_More_Rows: false };
    const results = await readWorkday(JSON.stringify(document, null, 2));
    expect(ids(results)).toEqual(['1:1', '2:2']);
    expect(results[1]).toMatchObject({ name: 'Zoë "Zed" \\ Ångström ✓ [x]' });
  });

  it('reads an array of records nested in objects (OData d.results) and a document that is the array', async () => {
    const nested = profile({ kind: 'people', format: 'json', json: { records: 'd.results' }, fields: { externalId: { from: 'id' }, name: { from: 'n' } } });
    const odata = JSON.stringify({ d: { __count: '2', results: [{ id: 'a', n: 'A' }, { id: 'b', n: 'B', results: [] }], __next: null } });
    expect(ids(await all(readRecords(nested, chunked(odata, 3), { today: TODAY })))).toEqual(['1:a', '2:b']);
    const top = profile({ kind: 'people', format: 'json', json: { records: '' }, fields: { externalId: { from: 'id' }, name: { from: 'n' } } });
    expect(ids(await all(readRecords(top, chunked('\uFEFF [ {"id":"a","n":"A"} , 42 ]'), { today: TODAY })))).toEqual(['1:a', '2:error']);
  });

  it('refuses a document without the records, or with something else there', async () => {
    await expect(readWorkday('{"Report": []}')).rejects.toThrow(new UnreadableFile('The document has no "Report_Entry": it is not the file the profile reads'));
    await expect(readWorkday('{"Report_Entry": {"Employee_ID": "1"}}')).rejects.toThrow(new UnreadableFile('"Report_Entry" is not an array of records'));
    await expect(readWorkday('{"outer": {"Report_Entry": []}}')).rejects.toThrow(/has no "Report_Entry"/);
  });

  it('refuses what is not JSON, and JSON that is broken anywhere', async () => {
    await expect(readWorkday('Employee_ID,Worker\n1,Ann\n')).rejects.toThrow(/^The file is not JSON: it starts with "Emplo/);
    await expect(readWorkday('')).rejects.toThrow(new UnreadableFile('The file is empty'));
    await expect(readWorkday('{"Report_Entry": [{"Employee_ID": "1", "Worker": "A"} {"Employee_ID": "2"}]}')).rejects.toThrow(/where "," or "]" should be/);
    await expect(readWorkday('{"Report_Entry": [{"Employee_ID": "1", "Worker": "A",}]}')).rejects.toThrow(/entry 1 of the records/);
    await expect(readWorkday('{"Report_Entry": [{"Employee_ID": "1", "Worker": "A"},]}')).rejects.toThrow(/a "," before "]"/);
    await expect(readWorkday('{"Report_Entry": [], "x": tru}')).rejects.toThrow(/not valid JSON/);
    await expect(readWorkday('{"Report_Entry": []} {"again": 1}')).rejects.toThrow(/not valid JSON/);
  });

  it('refuses a document cut short — after the records are read, so the run fails rather than imports half', async () => {
    const full = JSON.stringify({ Report_Entry: [entry('1'), entry('2')] });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const result of readRecords(BUILT_IN_PROFILES['workday-raas']!, chunked(full.slice(0, full.length - 2)), { today: TODAY })) seen.push(ids([result])[0]!);
    })();
    await expect(reading).rejects.toThrow(new UnreadableFile('The file ends inside the records, after 2 entries: it is cut short'));
    expect(seen).toEqual(['1:1', '2:2']);
    await expect(readWorkday(full.slice(0, full.length - 20))).rejects.toThrow(/cut short/);
    await expect(readWorkday('{"Report_Entry": [], "note": "unterminated')).rejects.toThrow(/cut short/);
  });

  it('an entry that is not an object is a row error; the rest is read', async () => {
    expect(await readWorkday(JSON.stringify({ Report_Entry: [entry('1'), 'oops', null, entry('4')] }))).toEqual([
      expect.objectContaining({ line: 1, externalId: '1' }),
      { line: 2, error: 'the entry is not a JSON object', externalId: null },
      { line: 3, error: 'the entry is not a JSON object', externalId: null },
      expect.objectContaining({ line: 4, externalId: '4' }),
    ]);
  });

  it('a value where one is expected and a list or object is found is a row error', async () => {
    expect(await readWorkday(JSON.stringify({ Report_Entry: [entry('1', { Worker: { Descriptor: 'Ann' } }), entry('2', { Email_Address: ['a@example.com', 'b@example.com'] })] }))).toEqual([
      { line: 1, externalId: '1', error: 'Worker: is an object, not a value' },
      { line: 2, externalId: '2', error: 'Email_Address: has 2 values, one expected' },
    ]);
  });

  it('the scanner keeps one entry, not the records, and nothing of them outside', () => {
    const scanner = new JsonRecordsScanner(['items']);
    const out: unknown[] = [];
    const text = JSON.stringify({ count: 3, items: [{ a: '}' }, [1, { b: '\\"' }], 'x"y', 12.5e3, true, null], hasMore: false });
    for (const char of text) out.push(...scanner.write(char));
    out.push(...scanner.end());
    expect(out).toEqual([{ a: '}' }, [1, { b: '\\"' }], 'x"y', 12.5e3, true, null]);
    expect(scanner.found).toBe(true);
  });
});

describe('transcripts', () => {
  it('refuses a people profile for a transcript and the other way round', async () => {
    await expect(all(readCompletions(BUILT_IN_PROFILES['generic-csv']!, chunked('x')))).rejects.toThrow('A people profile cannot read a transcript');
    await expect(all(readRecords(BUILT_IN_PROFILES['lms-transcript-csv']!, chunked('x')))).rejects.toThrow('A transcript profile cannot read people');
  });

  it('maps course codes, judges by the pass mark, makes a record id when the LMS has none, refuses the future', async () => {
    const lms = profile({
      kind: 'transcript',
      format: 'json',
      json: { records: 'data' },
      dateFormat: 'MM/DD/YYYY',
      fields: { person: { from: 'user.email' }, course: { from: 'course_code' }, completedAt: { from: 'completed' }, score: { from: 'score' } },
      courseCodes: { 'HH-101': 'hand-hygiene' },
      unmappedCourseCodes: 'error',
      passMark: 80,
    });
    const document = {
      data: [
        { user: { email: 'Ann@Example.com' }, course_code: 'HH-101', completed: '3/14/2026', score: 79.5 },
        { user: { email: 'bo@example.com' }, course_code: 'hh-101', completed: '03/15/2026', score: '80%' },
        { user: { email: 'cy@example.com' }, course_code: 'FIRE-9', completed: '03/15/2026' },
        { user: { email: 'di@example.com' }, course_code: 'HH-101', completed: '12/01/2026' },
      ],
    };
    expect(await all(readCompletions(lms, chunked(JSON.stringify(document)), { today: TODAY }))).toEqual([
      { line: 1, person: 'ann@example.com', courseKey: 'hand-hygiene', completedAt: '2026-03-14T00:00:00.000Z', score: 79.5, passed: false, recordId: 'ann@example.com|hand-hygiene|2026-03-14T00:00:00.000Z' },
      { line: 2, person: 'bo@example.com', courseKey: 'hand-hygiene', completedAt: '2026-03-15T00:00:00.000Z', score: 80, passed: true, recordId: 'bo@example.com|hand-hygiene|2026-03-15T00:00:00.000Z' },
      { line: 3, externalId: 'cy@example.com', error: 'course_code: "FIRE-9" is not in the profile\'s courseCodes' },
      { line: 4, externalId: 'di@example.com', error: 'completed: "12/01/2026" is in the future' },
    ]);
  });
});
