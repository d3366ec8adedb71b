import { StringDecoder } from 'node:string_decoder';
import { UnreadableFile } from './errors';

/**
 * The entries of one array in a JSON document, streamed: the document is scanned as it arrives, the
 * array at `keys` (object keys from the root; none: the document is the array) is found, and each of
 * its entries is cut out and parsed on its own (JSON.parse of one entry). Memory holds one entry and
 * what lies outside the array (capped), never the file.
 *
 * Why not a token stream (stream-json's parser + pick + streamArray)? It is correct but makes an
 * object per token — millions for a 100,000-worker report — and spends seconds where this spends a
 * fraction; the same guarantees hold here:
 * - each entry is checked by JSON.parse; the separators between entries by the scanner;
 * - everything outside the array is kept (as text, at most OUTSIDE_CAP) and checked by JSON.parse
 *   when the document ends, so a broken document is refused, never half-read;
 * - a document cut short (inside the array, an entry or a string) is refused.
 */

const OUTSIDE_CAP = 8 * 1024 * 1024;

const QUOTE = 34;
const BACKSLASH = 92;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;
const COMMA = 44;
const COLON = 58;

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/** Where a string starting at `start` (its opening quote) ends (the closing quote), or -1 if not yet. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return -1;
    // The quote is escaped when an odd number of backslashes precede it.
    let slashes = 0;
    for (let j = quote - 1; j > start && text.charCodeAt(j) === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return quote;
    i = quote + 1;
  }
}

const STRUCTURAL = /["{}[\]]/g;

/** The first unescaped quote at or after `from` (inside a string), or -1. */
function closingQuote(text: string, from: number): number {
  for (let i = from; ; ) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return -1;
    let slashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return quote;
    i = quote + 1;
  }
}

interface Frame {
  object: boolean;
  key: string | null;
  expectKey: boolean;
}

export class JsonRecordsScanner {
  private text = '';
  private pos = 0;
  private readonly frames: Frame[] = [];
  private outside = '';
  private started = false;
  private mode: 'outside' | 'records' = 'outside';
  /** Records mode: whether an entry (not a ',' or ']') comes next, and the entry being cut out. */
  private expectEntry = true;
  private entries = 0;
  private entryStart = -1;
  private entryKind: 'composite' | 'string' | 'scalar' = 'scalar';
  private depth = 0;
  private inString = false;
  private scanned = 0;
  found = false;
  notArray = false;

  constructor(private readonly keys: readonly string[]) {}

  /** Adds text and returns the entries it completed. */
  write(chunk: string, final = false): unknown[] {
    if (!this.started && this.text === '' && chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    if (this.entryStart >= 0) {
      // An unfinished entry: its text (from 0) is kept; scanning resumes at `scanned`.
      this.text += chunk;
    } else {
      this.text = this.pos < this.text.length ? this.text.slice(this.pos) + chunk : chunk;
      this.pos = 0;
    }
    const out: unknown[] = [];
    this.run(out, final);
    return out;
  }

  /** The document ended: refuses it when it is cut short or broken outside the records. */
  end(): unknown[] {
    const out = this.write('', true);
    if (!this.started) throw new UnreadableFile('The file is empty');
    if (this.mode === 'records') throw new UnreadableFile(`The file ends inside the records, after ${this.entries} entries: it is cut short`);
    if (this.pos < this.text.length || this.frames.length > 0) throw new UnreadableFile('The file ends before the JSON document does: it is cut short');
    try {
      JSON.parse(this.outside);
    } catch (error) {
      throw new UnreadableFile(`The file is not valid JSON: ${(error as Error).message}`);
    }
    return out;
  }

  private keep(text: string) {
    this.outside += text;
    if (this.outside.length > OUTSIDE_CAP) throw new UnreadableFile(`More than ${OUTSIDE_CAP >> 20} MiB of the document lie outside the records: it is not the file the profile reads`);
  }

  private atRecords(): boolean {
    const { frames, keys } = this;
    if (frames.length !== keys.length) return false;
    for (let i = 0; i < keys.length; i++) if (!frames[i]!.object || frames[i]!.key !== keys[i]) return false;
    return true;
  }

  /** A value starts at pos (outside the records): is it the records array? */
  private valueStarts(code: number): boolean {
    if (this.found || !this.atRecords()) return false;
    this.found = true;
    if (code === LBRACKET) return true;
    this.notArray = true;
    return false;
  }

  private run(out: unknown[], final: boolean) {
    const text = this.text;
    while (this.pos < text.length) {
      if (this.mode === 'records') {
        if (!this.records(out, final)) break;
        continue;
      }
      const code = text.charCodeAt(this.pos);
      if (isSpace(code)) {
        this.pos++;
        continue;
      }
      if (!this.started) {
        this.started = true;
        if (code !== LBRACE && code !== LBRACKET) throw new UnreadableFile(`The file is not JSON: it starts with ${JSON.stringify(text.slice(this.pos, this.pos + 20))}`);
      }
      const frame = this.frames[this.frames.length - 1];
      switch (code) {
        case LBRACE:
        case LBRACKET:
          if (this.valueStarts(code)) {
            this.keep('[]');
            this.mode = 'records';
            this.expectEntry = true;
          } else {
            this.keep(code === LBRACE ? '{' : '[');
            this.frames.push({ object: code === LBRACE, key: null, expectKey: code === LBRACE });
          }
          this.pos++;
          continue;
        case RBRACE:
        case RBRACKET:
          this.frames.pop();
          this.keep(code === RBRACE ? '}' : ']');
          this.pos++;
          continue;
        case COMMA:
          if (frame?.object) frame.expectKey = true;
          this.keep(',');
          this.pos++;
          continue;
        case COLON:
          this.keep(':');
          this.pos++;
          continue;
        case QUOTE: {
          const end = stringEnd(text, this.pos);
          if (end < 0) return; // wait for the rest of the string
          const raw = text.slice(this.pos, end + 1);
          if (frame?.object && frame.expectKey) {
            try {
              frame.key = JSON.parse(raw) as string;
            } catch (error) {
              throw new UnreadableFile(`The file is not valid JSON: ${(error as Error).message}`);
            }
            frame.expectKey = false;
          } else {
            this.valueStarts(code);
          }
          this.keep(raw);
          this.pos = end + 1;
          continue;
        }
        default: {
          // A number, true, false, null — or something that is not JSON, which the final check refuses.
          let end = this.pos;
          while (end < text.length) {
            const c = text.charCodeAt(end);
            if (isSpace(c) || c === COMMA || c === RBRACE || c === RBRACKET || c === COLON || c === QUOTE || c === LBRACE || c === LBRACKET) break;
            end++;
          }
          if (end === text.length && !final) return;
          this.valueStarts(code);
          this.keep(text.slice(this.pos, end));
          this.pos = end;
        }
      }
    }
  }

  /** Cuts entries out of the records array; false when it needs more text. */
  private records(out: unknown[], final: boolean): boolean {
    const text = this.text;
    if (this.entryStart < 0) {
      while (this.pos < text.length && isSpace(text.charCodeAt(this.pos))) this.pos++;
      if (this.pos === text.length) return false;
      const code = text.charCodeAt(this.pos);
      if (code === RBRACKET) {
        if (this.expectEntry && this.entries > 0) throw this.broken('a "," before "]"');
        this.mode = 'outside';
        this.pos++;
        return true;
      }
      if (code === COMMA) {
        if (this.expectEntry) throw this.broken('an entry missing before ","');
        this.expectEntry = true;
        this.pos++;
        return true;
      }
      if (!this.expectEntry) throw this.broken(`${JSON.stringify(text.slice(this.pos, this.pos + 20))} where "," or "]" should be`);
      this.entryStart = this.pos;
      this.entryKind = code === LBRACE || code === LBRACKET ? 'composite' : code === QUOTE ? 'string' : 'scalar';
      this.depth = 0;
      this.inString = false;
      this.scanned = this.pos;
    }
    const end = this.entryEnd(final);
    if (end < 0) {
      // Keep the entry's text for the next write; scanning resumes where it stopped.
      this.text = text.slice(this.entryStart);
      this.scanned -= this.entryStart;
      this.entryStart = 0;
      this.pos = 0;
      return false;
    }
    const raw = text.slice(this.entryStart, end);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new UnreadableFile(`The file is not valid JSON: entry ${this.entries + 1} of the records: ${(error as Error).message}`);
    }
    out.push(value);
    this.entries++;
    this.expectEntry = false;
    this.entryStart = -1;
    this.pos = end;
    return true;
  }

  /** Where the current entry ends (exclusive), or -1 when the text so far does not hold its end. */
  private entryEnd(final: boolean): number {
    const text = this.text;
    let i = this.scanned;
    if (this.entryKind === 'string') {
      const end = stringEnd(text, this.entryStart);
      if (end >= 0) return end + 1;
      this.scanned = text.length;
      return -1;
    }
    if (this.entryKind === 'scalar') {
      while (i < text.length) {
        const c = text.charCodeAt(i);
        if (isSpace(c) || c === COMMA || c === RBRACKET || c === RBRACE) return i;
        i++;
      }
      this.scanned = i;
      return final ? i : -1;
    }
    // From one structural character to the next (the regular expression skips the rest natively),
    // and over strings from quote to unescaped quote.
    let { depth, inString } = this;
    while (i < text.length) {
      if (inString) {
        const quote = closingQuote(text, i);
        if (quote < 0) {
          i = text.length;
          break;
        }
        inString = false;
        i = quote + 1;
        continue;
      }
      STRUCTURAL.lastIndex = i;
      const found = STRUCTURAL.exec(text);
      if (!found) {
        i = text.length;
        break;
      }
      i = found.index + 1;
      const c = text.charCodeAt(found.index);
      if (c === QUOTE) inString = true;
      else if (c === LBRACE || c === LBRACKET) depth++;
      else if (--depth === 0) return i;
    }
    this.depth = depth;
    this.inString = inString;
    this.scanned = i;
    return -1;
  }

  private broken(what: string): UnreadableFile {
    return new UnreadableFile(`The file is not valid JSON: ${what} after entry ${this.entries} of the records`);
  }
}

/** The entries of the array at `recordsPath` ("" : the document), one at a time, numbered from 1. */
export async function* jsonRecords(recordsPath: string, input: NodeJS.ReadableStream): AsyncGenerator<{ line: number; record: unknown }> {
  const scanner = new JsonRecordsScanner(recordsPath === '' ? [] : recordsPath.split('.'));
  const decoder = new StringDecoder('utf8');
  let line = 0;
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    for (const record of scanner.write(text)) yield { line: ++line, record };
  }
  for (const record of scanner.write(decoder.end())) yield { line: ++line, record };
  for (const record of scanner.end()) yield { line: ++line, record };
  if (!scanner.found) throw new UnreadableFile(recordsPath === '' ? 'The document is not an array of records' : `The document has no "${recordsPath}": it is not the file the profile reads`);
  if (scanner.notArray) throw new UnreadableFile(recordsPath === '' ? 'The document is not an array of records' : `"${recordsPath}" is not an array of records`);
}
