// The import file: what an upload must be (CSV or XLSX, not empty, not too big, not hostile), how
// the job prepares it (header mapping, row count, XLSX flattened to CSV once) and how a chunk
// reads its rows from a byte offset.
import { AppError, type ErrorDetail } from "../../lib/errors";
import type { ByteSource } from "../../lib/files/byte-source";
import { COMMA, CsvFormatError, csvLine, detectDelimiter, hasBom, isBlankRecord, readCsvRecords } from "../../lib/files/csv";
import { R2FileWriter } from "../../lib/files/r2-writer";
import {
  DEFAULT_XLSX_LIMITS,
  loadSharedStrings,
  openXlsx,
  readSheetRows,
  type SharedStringLookup,
  sharedStringLookup,
} from "../../lib/files/xlsx-reader";
import { looksLikeZip, ZipError } from "../../lib/files/zip-reader";
import { type ColumnMap, IMPORT_COLUMNS, mapHeaders } from "./columns";

export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;
export type ImportFormat = "csv" | "xlsx";

export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** Content types a CSV or XLSX upload may arrive with (browsers label .csv several ways). */
const ACCEPTED_TYPES = new Set([
  "text/csv",
  "text/plain",
  "text/tab-separated-values",
  "application/csv",
  "application/vnd.ms-excel",
  XLSX_TYPE,
  "application/zip",
  "application/octet-stream",
  "",
]);

const unsupported = (message: string) => new AppError("unsupported_media_type", message);
const invalidFile = (message: string) => new AppError("validation_failed", `file: ${message}`, [{ path: "file", message } satisfies ErrorDetail]);

/** How much of an upload the format is sniffed from. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * Decide the format from the file's first bytes; the declared type only rules out what is
 * plainly not a sheet.
 */
export function sniffFormat(head: Uint8Array, size: number, contentType: string): ImportFormat {
  const declared = contentType.split(";")[0]!.trim().toLowerCase();
  if (!ACCEPTED_TYPES.has(declared)) throw unsupported(`${declared} is not an import format: upload CSV or XLSX`);
  if (size === 0) throw invalidFile("the file is empty");
  if (looksLikeZip(head)) return "xlsx";
  if (head.length >= 4 && head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    throw unsupported("legacy .xls workbooks are not supported: save the sheet as .xlsx or CSV");
  }
  if (head.includes(0)) throw unsupported("the file is neither CSV text nor an XLSX workbook");
  try {
    // `stream` tolerates a character cut in half at the end of the sample.
    new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(head, { stream: true });
  } catch {
    throw unsupported("CSV files must be UTF-8 encoded (with or without a BOM)");
  }
  return "csv";
}

/** Records of a CSV source from `offset`, with the record number of each. */
async function* csvRows(source: ByteSource, offset: number, delimiter: number) {
  for await (const record of readCsvRecords(await source.stream(offset), { base: offset, delimiter })) yield record;
}

export interface HeaderInfo {
  headers: string[];
  columns: ColumnMap;
}

function requireNameColumn(headers: string[]): HeaderInfo {
  const columns = mapHeaders(headers);
  if (columns.name === undefined) {
    const found = headers.filter((h) => h.trim() !== "").join(", ") || "none";
    throw invalidFile(`no name column (headers found: ${found}; the template's headers are ${IMPORT_COLUMNS.join(", ")})`);
  }
  return { headers, columns };
}

function xlsxError(error: unknown): never {
  if (error instanceof ZipError) {
    if (error.kind === "too_large") throw new AppError("payload_too_large", `file: ${error.message}`, [{ path: "file", message: error.message }]);
    throw invalidFile(`not a readable XLSX workbook (${error.message})`);
  }
  throw error;
}

/**
 * Check an upload before it is accepted: the workbook's structure and declared sizes, a header
 * row with a name column, and at least one data row. Reads only the first rows.
 */
export async function checkUpload(source: ByteSource, format: ImportFormat): Promise<HeaderInfo> {
  let header: string[] | null = null;
  let hasData = false;
  if (format === "csv") {
    const start = hasBom(await source.read(0, 3)) ? 3 : 0;
    try {
      for await (const record of csvRows(source, start, detectDelimiter(await source.read(start, SNIFF_BYTES)))) {
        if (isBlankRecord(record.fields)) continue;
        if (header) {
          hasData = true;
          break;
        }
        header = record.fields;
      }
    } catch (error) {
      if (error instanceof CsvFormatError) throw invalidFile(error.message);
      throw error;
    }
  } else {
    try {
      const book = await openXlsx(source);
      // Excel writes shared strings in order of first use, so a header's are among the first.
      const strings = await loadSharedStrings(source, book, DEFAULT_XLSX_LIMITS, 5_000);
      let unresolved = false;
      const lookup: SharedStringLookup = (index) => {
        if (index >= strings.length) unresolved = true;
        return strings[index] ?? "";
      };
      for await (const row of readSheetRows(source, book, lookup)) {
        if (isBlankRecord(row.cells)) continue;
        if (header) {
          hasData = true;
          break;
        }
        header = row.cells;
      }
      // A header beyond the sampled strings is checked by the job instead.
      if (unresolved) return { headers: header ?? [], columns: {} };
    } catch (error) {
      xlsxError(error);
    }
  }
  if (!header) throw invalidFile("the file is empty");
  const info = requireNameColumn(header);
  if (!hasData) throw invalidFile("the file has a header row but no data rows");
  return info;
}

/** Where the job reads rows from: the upload (CSV) or its flattened copy (XLSX). */
export interface RowSource {
  key: string;
  delimiter: number;
  /** Byte offset of the first data row. */
  offset: number;
  /** Record number of the header row (1-based); data rows count on from it. */
  headerRow: number;
  /** The flattened XLSX copy starts every record with the sheet's own row number. */
  rowNumberColumn: boolean;
  headers: string[];
  columns: ColumnMap;
  total: number;
  /** R2 keys to delete once the import has finished. */
  temporary: string[];
}

export class ImportFileError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** A problem with the file itself (retrying cannot help) becomes an ImportFileError. */
function permanentError(error: unknown): never {
  if (error instanceof ZipError) {
    throw new ImportFileError(`not a readable XLSX workbook: ${error.message}`, error.kind === "too_large" ? "file_too_large" : "invalid_file");
  }
  if (error instanceof AppError) throw new ImportFileError(error.message, error.code === "payload_too_large" ? "file_too_large" : "invalid_file");
  if (error instanceof CsvFormatError) throw new ImportFileError(error.message, "invalid_file");
  throw error;
}

/**
 * The first step of an import job: read the header, map it, and count the data rows. An XLSX
 * sheet is flattened into a CSV copy here, once, because a deflate stream cannot be resumed at an
 * offset; every later chunk then reads its rows with one range read.
 */
export async function prepareRows(bucket: R2Bucket, source: ByteSource, input: { fileKey: string; format: ImportFormat }, flatKey: string): Promise<RowSource> {
  try {
    return input.format === "csv" ? await prepareCsv(source, input.fileKey) : await prepareXlsx(bucket, source, flatKey);
  } catch (error) {
    permanentError(error);
  }
}

async function prepareCsv(source: ByteSource, key: string): Promise<RowSource> {
  const start = hasBom(await source.read(0, 3)) ? 3 : 0;
  const delimiter = detectDelimiter(await source.read(start, 64 * 1024));
  let header: string[] | null = null;
  let headerRow = 0;
  let offset = start;
  let total = 0;
  let recordNumber = 0;
  for await (const record of csvRows(source, start, delimiter)) {
    recordNumber += 1;
    if (isBlankRecord(record.fields)) continue;
    if (header) {
      total += 1;
      continue;
    }
    header = record.fields;
    headerRow = recordNumber;
    offset = record.end;
  }
  if (!header) throw invalidFile("the file is empty");
  return { key, delimiter, offset, headerRow, rowNumberColumn: false, ...requireNameColumn(header), total, temporary: [] };
}

async function prepareXlsx(bucket: R2Bucket, source: ByteSource, flatKey: string): Promise<RowSource> {
  const book = await openXlsx(source);
  const lookup = sharedStringLookup(await loadSharedStrings(source, book));
  const writer = new R2FileWriter(bucket, flatKey, { contentType: "text/csv" });
  let header: string[] | null = null;
  let headerRow = 0;
  let offset = 0;
  let total = 0;
  let pending = "";
  try {
    for await (const row of readSheetRows(source, book, lookup)) {
      if (isBlankRecord(row.cells)) continue;
      const line = csvLine([row.rowNumber, ...row.cells]);
      if (!header) {
        header = row.cells;
        headerRow = row.rowNumber;
        offset = new TextEncoder().encode(line).length;
      } else {
        total += 1;
      }
      pending += line;
      if (pending.length >= 64 * 1024) {
        await writer.write(pending);
        pending = "";
      }
    }
    await writer.write(pending);
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  if (!header) throw invalidFile("the file is empty");
  return { key: flatKey, delimiter: COMMA, offset, headerRow, rowNumberColumn: true, ...requireNameColumn(header), total, temporary: [flatKey] };
}

export interface SourceRow {
  rowNumber: number;
  cells: string[];
}

/**
 * Up to `limit` non-blank data rows from `offset`. `end` is where the next chunk starts and
 * `rowNumber` the record number reached; `eof` says nothing is left after them.
 */
export async function readRows(
  source: ByteSource,
  rows: Pick<RowSource, "delimiter" | "rowNumberColumn">,
  from: { offset: number; rowNumber: number },
  limit: number,
): Promise<{ rows: SourceRow[]; end: number; rowNumber: number; eof: boolean }> {
  const out: SourceRow[] = [];
  let end = from.offset;
  let rowNumber = from.rowNumber;
  let eof = true;
  try {
    for await (const record of csvRows(source, from.offset, rows.delimiter)) {
      if (out.length >= limit) {
        eof = false;
        break;
      }
      end = record.end;
      if (rows.rowNumberColumn) {
        rowNumber = Number(record.fields[0]);
        if (!isBlankRecord(record.fields.slice(1))) out.push({ rowNumber, cells: record.fields.slice(1) });
      } else {
        rowNumber += 1;
        if (!isBlankRecord(record.fields)) out.push({ rowNumber, cells: record.fields });
      }
    }
  } catch (error) {
    permanentError(error);
  }
  return { rows: out, end, rowNumber, eof };
}
