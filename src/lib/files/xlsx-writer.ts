// A streaming XLSX writer: one worksheet of inline strings and numbers, deflated row by row with
// fflate's synchronous Zip/ZipDeflate (its async APIs rely on workers that workerd does not run).
// The package parts are the minimum Excel and LibreOffice accept: content types, relationships,
// workbook, styles (a bold header) and the sheet.
import { Zip, ZipDeflate } from "fflate";

export type CellValue = string | number | null | undefined;

const encoder = new TextEncoder();

// Characters XML 1.0 cannot carry at all; they are dropped.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(text: string): string {
  return text.replace(INVALID_XML, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function columnName(index: number): string {
  let name = "";
  let n = index + 1;
  while (n > 0) {
    const rem = (n - 1) % 26;
    name = String.fromCharCode(65 + rem) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}

function cellXml(value: CellValue, ref: string, style: string): string {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value === "number" && Number.isFinite(value)) return `<c r="${ref}"${style}><v>${value}</v></c>`;
  const text = escapeXml(String(value));
  const space = /^\s|\s$/.test(text) ? ' xml:space="preserve"' : "";
  return `<c r="${ref}"${style} t="inlineStr"><is><t${space}>${text}</t></is></c>`;
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`;

const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

const workbookXml = (sheetName: string) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${escapeXml(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`;

const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`;

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;

const SHEET_START = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>`;
const SHEET_END = `</sheetData></worksheet>`;

/** Rows are batched into pieces of about this many characters before being deflated. */
const FLUSH_CHARS = 256 * 1024;

/**
 * Writes rows into an XLSX archive; the archive's bytes go to `sink` as they are produced. The
 * caller awaits `drain()` (or each `addRow`) so that the sink keeps pace and memory stays flat.
 */
export class XlsxStreamWriter {
  private readonly zip: Zip;
  private readonly sheet: ZipDeflate;
  private readonly output: Uint8Array[] = [];
  private failure: Error | null = null;
  private ended = false;
  private rowNumber = 0;
  private buffered: string[] = [];
  private bufferedChars = 0;

  constructor(
    private readonly sink: (bytes: Uint8Array) => Promise<void>,
    opts: { sheetName?: string; level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 } = {},
  ) {
    this.zip = new Zip((error, chunk, final) => {
      if (error) this.failure = error;
      else if (chunk.length > 0) this.output.push(chunk);
      if (final) this.ended = true;
    });
    const level = opts.level ?? 6;
    const small = (name: string, text: string) => {
      const file = new ZipDeflate(name, { level });
      this.zip.add(file);
      file.push(encoder.encode(text), true);
    };
    small("[Content_Types].xml", CONTENT_TYPES);
    small("_rels/.rels", ROOT_RELS);
    small("xl/workbook.xml", workbookXml(opts.sheetName ?? "Sheet1"));
    small("xl/_rels/workbook.xml.rels", WORKBOOK_RELS);
    small("xl/styles.xml", STYLES);
    this.sheet = new ZipDeflate("xl/worksheets/sheet1.xml", { level });
    this.zip.add(this.sheet);
    this.sheet.push(encoder.encode(SHEET_START));
  }

  /** Append a row; `header` rows are bold. */
  async addRow(values: readonly CellValue[], opts: { header?: boolean } = {}): Promise<void> {
    this.rowNumber += 1;
    const style = opts.header ? ' s="1"' : "";
    let xml = `<row r="${this.rowNumber}">`;
    values.forEach((value, i) => {
      xml += cellXml(value, `${columnName(i)}${this.rowNumber}`, style);
    });
    xml += "</row>";
    this.buffered.push(xml);
    this.bufferedChars += xml.length;
    if (this.bufferedChars >= FLUSH_CHARS) await this.flushRows();
  }

  get rowsWritten(): number {
    return this.rowNumber;
  }

  private async flushRows(): Promise<void> {
    if (this.buffered.length > 0) {
      this.sheet.push(encoder.encode(this.buffered.join("")));
      this.buffered = [];
      this.bufferedChars = 0;
    }
    await this.drain();
  }

  /** Hand produced bytes to the sink. */
  private async drain(): Promise<void> {
    if (this.failure) throw this.failure;
    while (this.output.length > 0) await this.sink(this.output.shift()!);
  }

  /** Close the sheet and the archive; every byte has reached the sink when this resolves. */
  async finish(): Promise<void> {
    await this.flushRows();
    this.sheet.push(encoder.encode(SHEET_END), true);
    this.zip.end();
    await this.drain();
    if (!this.ended) throw new Error("the XLSX archive did not end");
  }
}

/** A whole small workbook in memory (the import template). */
export async function xlsxBytes(rows: readonly (readonly CellValue[])[], opts: { headerRows?: number } = {}): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const writer = new XlsxStreamWriter(async (bytes) => void parts.push(bytes));
  for (const [i, row] of rows.entries()) await writer.addRow(row, { header: i < (opts.headerRows ?? 1) });
  await writer.finish();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
