// Reads the first worksheet of an XLSX workbook as rows of strings, streaming: the archive is read
// through its central directory, the sheet is inflated piece by piece and scanned one <row> at a
// time, so memory holds the shared-string table and one row, never the sheet.
import type { ByteSource } from "./byte-source";
import { checkExpansion, type ExpansionLimits, readZipDirectory, readZipEntry, readZipText, ZipError, type ZipEntry } from "./zip-reader";

export interface XlsxLimits extends ExpansionLimits {
  /** The shared-string table is held in memory: its XML may not exceed this. */
  maxSharedStringsBytes: number;
}

export const DEFAULT_XLSX_LIMITS: XlsxLimits = {
  maxEntryBytes: 512 * 1024 * 1024,
  maxRatio: 250,
  maxSharedStringsBytes: 48 * 1024 * 1024,
};

const SMALL_PART_BYTES = 4 * 1024 * 1024;

export interface XlsxBook {
  sheet: ZipEntry;
  sharedStrings: ZipEntry | null;
}

// Tags may carry a namespace prefix (`<x:row>` from some generators).
const NS = "(?:[A-Za-z_][\\w.-]*:)?";

function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out.set(m[1]!, m[2] ?? m[3] ?? "");
  return out;
}

/** Attribute by local name, whatever its prefix (`r:id`, `ns2:id`). */
function attribute(attrs: Map<string, string>, local: string): string | undefined {
  for (const [name, value] of attrs) if (name === local || name.endsWith(`:${local}`)) return value;
  return undefined;
}

function resolvePath(base: string, target: string): string {
  if (target.startsWith("/")) return target.slice(1);
  const parts = base.split("/").slice(0, -1);
  for (const piece of target.split("/")) {
    if (piece === "..") parts.pop();
    else if (piece !== "." && piece !== "") parts.push(piece);
  }
  return parts.join("/");
}

function relationships(xml: string): { id: string; type: string; target: string }[] {
  return [...xml.matchAll(new RegExp(`<${NS}Relationship\\b[^>]*>`, "g"))].map((m) => {
    const attrs = attributes(m[0]);
    return { id: attrs.get("Id") ?? "", type: attrs.get("Type") ?? "", target: attrs.get("Target") ?? "" };
  });
}

const relsPathOf = (part: string) => {
  const slash = part.lastIndexOf("/");
  return `${part.slice(0, slash + 1)}_rels/${part.slice(slash + 1)}.rels`;
};

function findEntry(entries: Map<string, ZipEntry>, path: string): ZipEntry | undefined {
  const exact = entries.get(path);
  if (exact) return exact;
  const lower = path.toLowerCase();
  for (const [name, entry] of entries) if (name.toLowerCase() === lower) return entry;
  return undefined;
}

/** Locate the first worksheet and the shared strings, checking every entry read for hostility. */
export async function openXlsx(source: ByteSource, limits: XlsxLimits = DEFAULT_XLSX_LIMITS): Promise<XlsxBook> {
  const entries = await readZipDirectory(source);
  const small = async (path: string) => {
    const entry = findEntry(entries, path);
    if (!entry) return null;
    checkExpansion(entry, { ...limits, maxEntryBytes: SMALL_PART_BYTES });
    return readZipText(source, entry, SMALL_PART_BYTES);
  };

  const rootRels = await small("_rels/.rels");
  const officeDocument = rootRels ? relationships(rootRels).find((r) => r.type.endsWith("/officeDocument")) : undefined;
  const workbookPath = officeDocument ? resolvePath("", officeDocument.target) : "xl/workbook.xml";
  const workbook = await small(workbookPath);
  if (workbook === null) throw new ZipError("not an XLSX workbook (no xl/workbook.xml)");
  const workbookRels = relationships((await small(relsPathOf(workbookPath))) ?? "");

  const firstSheet = workbook.match(new RegExp(`<${NS}sheet\\b[^>]*>`));
  const sheetRelId = firstSheet ? attribute(attributes(firstSheet[0]), "id") : undefined;
  const sheetRel = workbookRels.find((r) => r.id === sheetRelId) ?? workbookRels.find((r) => r.type.endsWith("/worksheet"));
  const sheetPath = sheetRel ? resolvePath(workbookPath, sheetRel.target) : "xl/worksheets/sheet1.xml";
  const sheet = findEntry(entries, sheetPath);
  if (!sheet) throw new ZipError(`the workbook has no worksheet (${sheetPath})`);
  checkExpansion(sheet, limits);

  const stringsRel = workbookRels.find((r) => r.type.endsWith("/sharedStrings"));
  const sharedStrings = findEntry(entries, stringsRel ? resolvePath(workbookPath, stringsRel.target) : "xl/sharedStrings.xml") ?? null;
  if (sharedStrings) checkExpansion(sharedStrings, { ...limits, maxEntryBytes: limits.maxSharedStringsBytes });
  return { sheet, sharedStrings };
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** A numeric character reference's character; one beyond Unicode makes the file unreadable. */
function codePoint(value: number, reference: string): string {
  if (!Number.isInteger(value) || value > 0x10ffff) throw new ZipError(`${reference.slice(0, 20)} is not a Unicode character`);
  return String.fromCodePoint(value);
}

/** XML entities, then OOXML's `_xHHHH_` escapes for characters XML cannot carry. */
export function decodeXmlText(text: string): string {
  return text
    .replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, name: string) => {
      if (name.startsWith("#")) return codePoint(name.startsWith("#x") ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10), whole);
      return ENTITIES[name] ?? whole;
    })
    .replace(/_x([0-9a-fA-F]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const T_RE = new RegExp(`<${NS}t(?:\\s[^>]*)?>([\\s\\S]*?)</${NS}t>`, "g");
const PHONETIC_RE = new RegExp(`<${NS}rPh\\b[\\s\\S]*?</${NS}rPh>`, "g");

/** The text of an `<si>` or `<is>` body: its `<t>` runs, without phonetic hints. */
function richText(xml: string): string {
  let out = "";
  for (const m of xml.replace(PHONETIC_RE, "").matchAll(T_RE)) out += m[1]!;
  return decodeXmlText(out);
}

/**
 * Scan a stream of XML text for complete elements named `tag` and hand each one over. Only the
 * text after the last complete element is kept between pieces.
 */
async function* elements(chunks: AsyncIterable<Uint8Array>, tag: string): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const open = new RegExp(`<${NS}${tag}[\\s/>]`, "g");
  const close = new RegExp(`</${NS}${tag}>`, "g");
  let text = "";
  const drain = function* (final: boolean) {
    let consumed = 0;
    for (;;) {
      open.lastIndex = consumed;
      const start = open.exec(text);
      if (!start) {
        // Keep a possible partial opening tag at the very end.
        consumed = Math.max(consumed, text.length - tag.length - 32);
        break;
      }
      const tagEnd = text.indexOf(">", start.index);
      if (tagEnd < 0) {
        consumed = start.index;
        break;
      }
      if (text[tagEnd - 1] === "/") {
        yield text.slice(start.index, tagEnd + 1);
        consumed = tagEnd + 1;
        continue;
      }
      close.lastIndex = tagEnd;
      const end = close.exec(text);
      if (!end) {
        consumed = start.index;
        break;
      }
      yield text.slice(start.index, end.index + end[0].length);
      consumed = end.index + end[0].length;
    }
    text = final ? "" : text.slice(Math.max(consumed, 0));
  };
  for await (const chunk of chunks) {
    text += decoder.decode(chunk, { stream: true });
    yield* drain(false);
  }
  text += decoder.decode();
  yield* drain(true);
}

/** The shared-string table, in order (only its first `maxCount` strings when given). */
export async function loadSharedStrings(
  source: ByteSource,
  book: XlsxBook,
  limits: XlsxLimits = DEFAULT_XLSX_LIMITS,
  maxCount = Infinity,
): Promise<string[]> {
  if (!book.sharedStrings) return [];
  const out: string[] = [];
  for await (const si of elements(readZipEntry(source, book.sharedStrings, limits.maxSharedStringsBytes), "si")) {
    out.push(richText(si));
    if (out.length >= maxCount) break;
  }
  return out;
}

/** How a cell's shared-string index becomes its text. */
export type SharedStringLookup = (index: number) => string;

export const sharedStringLookup =
  (strings: readonly string[]): SharedStringLookup =>
  (index) =>
    strings[index] ?? "";

function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const code = ch.charCodeAt(0);
    if (code < 65 || code > 90) break;
    n = n * 26 + (code - 64);
  }
  return n - 1;
}

/** A number cell as text: integers without exponent or ".0" (a phone stored as a number stays whole). */
export function numberText(raw: string): string {
  const trimmed = raw.trim();
  if (/^-?\d+$/.test(trimmed)) return trimmed.replace(/^(-?)0+(?=\d)/, "$1");
  const n = Number(trimmed);
  if (!Number.isFinite(n)) return trimmed;
  return Number.isSafeInteger(n) ? n.toFixed(0) : String(n);
}

const CELL_RE = new RegExp(`<${NS}c\\b([^>]*?)(?:/>|>([\\s\\S]*?)</${NS}c>)`, "g");
const V_RE = new RegExp(`<${NS}v(?:\\s[^>]*)?>([\\s\\S]*?)</${NS}v>`);
const IS_RE = new RegExp(`<${NS}is\\b[^>]*>([\\s\\S]*?)</${NS}is>`);

export interface SheetRow {
  /** The row's number in the sheet (1-based), as Excel shows it. */
  rowNumber: number;
  cells: string[];
}

function parseRow(xml: string, previous: number, sharedString: SharedStringLookup): SheetRow {
  const tagEnd = xml.indexOf(">");
  const r = attribute(attributes(xml.slice(0, tagEnd)), "r");
  const rowNumber = r && /^\d+$/.test(r) ? Number(r) : previous + 1;
  const cells: string[] = [];
  if (xml[tagEnd - 1] === "/") return { rowNumber, cells };
  let next = 0;
  for (const m of xml.slice(tagEnd + 1).matchAll(CELL_RE)) {
    const attrs = attributes(m[1] ?? "");
    const ref = attrs.get("r");
    const column = ref ? columnIndex(ref) : next;
    next = column + 1;
    const body = m[2] ?? "";
    const type = attrs.get("t") ?? "n";
    let value = "";
    if (type === "inlineStr") {
      value = richText(IS_RE.exec(body)?.[1] ?? "");
    } else {
      const raw = V_RE.exec(body)?.[1];
      if (raw !== undefined) {
        if (type === "s") value = sharedString(Number(raw));
        else if (type === "b") value = raw.trim() === "1" ? "TRUE" : "FALSE";
        else if (type === "n") value = numberText(decodeXmlText(raw));
        else value = decodeXmlText(raw);
      }
    }
    if (column >= 0 && column < 16384) cells[column] = value;
  }
  for (let i = 0; i < cells.length; i++) cells[i] ??= "";
  return { rowNumber, cells };
}

/** The rows of the first worksheet, in order. */
export async function* readSheetRows(
  source: ByteSource,
  book: XlsxBook,
  sharedString: SharedStringLookup,
  limits: XlsxLimits = DEFAULT_XLSX_LIMITS,
): AsyncGenerator<SheetRow> {
  let previous = 0;
  for await (const xml of elements(readZipEntry(source, book.sheet, limits.maxEntryBytes), "row")) {
    const row = parseRow(xml, previous, sharedString);
    previous = row.rowNumber;
    yield row;
  }
}
