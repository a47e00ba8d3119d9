// CSV read at the byte level (so a record's end is an exact byte offset a later chunk can resume
// from) and written with RFC 4180 quoting. Delimiters, quotes and newlines are ASCII, and no byte
// of a multi-byte UTF-8 sequence is below 0x80, so scanning bytes is safe for UTF-8 text.

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
export const COMMA = 0x2c;
export const SEMICOLON = 0x3b;
export const TAB = 0x09;

/** A record longer than this is refused: it is a broken quote, not a contact. */
export const MAX_RECORD_BYTES = 1024 * 1024;

export class CsvFormatError extends Error {}

export const UTF8_BOM = new Uint8Array([0xef, 0xbb, 0xbf]);

export function hasBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** Comma, semicolon or tab: whichever the header line (outside quotes) holds most of. */
export function detectDelimiter(head: Uint8Array): number {
  const counts = new Map<number, number>([
    [COMMA, 0],
    [SEMICOLON, 0],
    [TAB, 0],
  ]);
  let quoted = false;
  for (const byte of head) {
    if (byte === QUOTE) quoted = !quoted;
    else if (!quoted && (byte === LF || byte === CR)) break;
    else if (!quoted && counts.has(byte)) counts.set(byte, counts.get(byte)! + 1);
  }
  let best = COMMA;
  for (const [delimiter, n] of counts) if (n > counts.get(best)!) best = delimiter;
  return best;
}

export interface CsvRecord {
  fields: string[];
  /** Absolute byte offset just past the record (and its line break). */
  end: number;
}

const decoder = new TextDecoder();

/**
 * Parse one record starting at `pos`. Returns null when the buffer ends inside the record and
 * more input may follow (`eof` false). `decode` false counts records without building strings.
 */
function parseRecord(
  buf: Uint8Array,
  pos: number,
  delimiter: number,
  eof: boolean,
  decode: boolean,
): { fields: string[]; next: number } | null {
  const fields: string[] = [];
  let i = pos;
  for (;;) {
    let value = "";
    if (buf[i] === QUOTE) {
      // Quoted field: "" is a literal quote; newlines and delimiters are data.
      const fieldStart = i;
      i += 1;
      let segmentStart = i;
      const parts: string[] = [];
      for (;;) {
        if (i >= buf.length) {
          if (!eof) return null;
          // An unterminated quote at the end of the file: keep what there is.
          if (decode) fields.push(decoder.decode(buf.subarray(fieldStart + 1)).replace(/""/g, '"'));
          return { fields, next: buf.length };
        }
        if (buf[i] === QUOTE) {
          if (decode) parts.push(decoder.decode(buf.subarray(segmentStart, i)));
          if (buf[i + 1] === QUOTE) {
            if (decode) parts.push('"');
            i += 2;
            segmentStart = i;
            continue;
          }
          if (i + 1 >= buf.length && !eof) return null;
          i += 1;
          break;
        }
        i += 1;
      }
      // Anything between the closing quote and the delimiter is kept, as spreadsheets do.
      const tailStart = i;
      while (i < buf.length && buf[i] !== delimiter && buf[i] !== LF && buf[i] !== CR) i += 1;
      if (decode) value = parts.join("") + decoder.decode(buf.subarray(tailStart, i));
    } else {
      const start = i;
      while (i < buf.length && buf[i] !== delimiter && buf[i] !== LF && buf[i] !== CR) i += 1;
      if (decode) value = decoder.decode(buf.subarray(start, i));
    }
    fields.push(value);
    if (i >= buf.length) {
      if (!eof) return null;
      return { fields, next: i };
    }
    const byte = buf[i];
    if (byte === delimiter) {
      i += 1;
      if (i >= buf.length && !eof) return null;
      continue;
    }
    // CR, LF or CRLF ends the record; a CR at the very end of the buffer may be half a CRLF.
    if (byte === CR) {
      if (i + 1 >= buf.length && !eof) return null;
      return { fields, next: buf[i + 1] === LF ? i + 2 : i + 1 };
    }
    return { fields, next: i + 1 };
  }
}

/**
 * Records of a CSV byte stream whose first byte sits at absolute offset `base`. Stops early
 * when the consumer breaks out of the loop (the stream is cancelled).
 */
export async function* readCsvRecords(
  stream: ReadableStream<Uint8Array>,
  opts: { base: number; delimiter: number; decode?: boolean },
): AsyncGenerator<CsvRecord> {
  const decode = opts.decode ?? true;
  const reader = stream.getReader();
  let buf = new Uint8Array(0);
  let pos = 0;
  let base = opts.base;
  let eof = false;
  try {
    for (;;) {
      if (pos >= buf.length && eof) return;
      const parsed = pos < buf.length ? parseRecord(buf, pos, opts.delimiter, eof, decode) : null;
      if (parsed) {
        pos = parsed.next;
        yield { fields: parsed.fields, end: base + pos };
        continue;
      }
      if (eof) return;
      if (buf.length - pos > MAX_RECORD_BYTES) {
        throw new CsvFormatError(`a record near byte ${base + pos} is longer than ${MAX_RECORD_BYTES} bytes (unbalanced quote?)`);
      }
      const { done, value } = await reader.read();
      if (done) {
        eof = true;
        continue;
      }
      const rest = buf.subarray(pos);
      const joined = new Uint8Array(rest.length + value.length);
      joined.set(rest);
      joined.set(value, rest.length);
      base += pos;
      buf = joined;
      pos = 0;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** A whole in-memory CSV (templates, tests, small files): header and records as strings. */
export function parseCsvText(bytes: Uint8Array): string[][] {
  const start = hasBom(bytes) ? 3 : 0;
  const delimiter = detectDelimiter(bytes.subarray(start));
  const out: string[][] = [];
  let pos = start;
  while (pos < bytes.length) {
    const parsed = parseRecord(bytes, pos, delimiter, true, true)!;
    out.push(parsed.fields);
    pos = parsed.next;
  }
  return out;
}

export const isBlankRecord = (fields: readonly string[]): boolean => fields.every((f) => f.trim() === "");

/** One CSV line (with CRLF), quoting only the fields that need it. */
export function csvLine(fields: readonly (string | number | null | undefined)[]): string {
  return (
    fields
      .map((field) => {
        if (field === null || field === undefined) return "";
        const text = String(field);
        return /[",\r\n;\t]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
      })
      .join(",") + "\r\n"
  );
}

/**
 * OWASP's rule against formula injection: a text cell starting with `=`, `+`, `-`, `@`, tab or CR
 * is something a spreadsheet would evaluate, so it gets a leading `'` — which spreadsheets read as
 * "this is text" and do not show. Numbers are numbers and stay as they are.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export const defuseFormula = (value: string | number | null | undefined) =>
  typeof value === "string" && FORMULA_START.test(value) ? `'${value}` : value;

/** Undo `defuseFormula` on a cell read back (an export or error report re-imported). */
export const undoDefusedFormula = (text: string): string => (text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text);

/** A CSV line meant to be opened in a spreadsheet (exports, error reports): every cell defused. */
export function spreadsheetCsvLine(fields: readonly (string | number | null | undefined)[]): string {
  return csvLine(fields.map(defuseFormula));
}
