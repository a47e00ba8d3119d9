// XLSX workbooks built by hand, the way Excel writes them (shared strings, numbers stored as
// numbers), independent of the app's own writer; and a reader for the files the app produces.
import { strToU8, zipSync } from "fflate";
import { memorySource } from "../../src/lib/files/byte-source";
import { loadSharedStrings, openXlsx, readSheetRows, sharedStringLookup } from "../../src/lib/files/xlsx-reader";
import { readZipDirectory } from "../../src/lib/files/zip-reader";

/** `{ xml }`: a shared string written verbatim (entities and all), for malformed workbooks. */
export type FixtureCell = string | number | boolean | null | { inline: string } | { rich: string[] } | { xml: string };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const col = (i: number) => String.fromCharCode(65 + i);

/**
 * A workbook whose first sheet (by workbook order, stored as sheet2.xml to prove the reader
 * follows the relationships) holds `rows`; strings are shared, numbers numeric.
 */
export function buildXlsx(rows: FixtureCell[][], opts: { firstRow?: number } = {}): Uint8Array {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const shared = (xml: string) => {
    if (!index.has(xml)) {
      index.set(xml, strings.length);
      strings.push(xml);
    }
    return index.get(xml)!;
  };
  const first = opts.firstRow ?? 1;
  const sheetRows = rows
    .map((row, r) => {
      const n = r + first;
      const cells = row
        .map((cell, c) => {
          const ref = `${col(c)}${n}`;
          if (cell === null) return "";
          if (typeof cell === "number") return `<c r="${ref}"><v>${cell}</v></c>`;
          if (typeof cell === "boolean") return `<c r="${ref}" t="b"><v>${cell ? 1 : 0}</v></c>`;
          if (typeof cell === "object" && "inline" in cell) return `<c r="${ref}" t="inlineStr"><is><t>${esc(cell.inline)}</t></is></c>`;
          if (typeof cell === "object" && "xml" in cell) return `<c r="${ref}" t="s"><v>${shared(`<t>${cell.xml}</t>`)}</v></c>`;
          const si =
            typeof cell === "object"
              ? cell.rich.map((run, i) => `<r>${i ? "<rPr><b/></rPr>" : ""}<t xml:space="preserve">${esc(run)}</t></r>`).join("") +
                '<rPh sb="0" eb="1"><t>PHONETIC</t></rPh>'
              : `<t>${esc(cell)}</t>`;
          return `<c r="${ref}" t="s" s="0"><v>${shared(si)}</v></c>`;
        })
        .join("");
      return `<row r="${n}" spans="1:${row.length}">${cells}</row>`;
    })
    .join("");
  const ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
  return zipSync({
    "[Content_Types].xml": strToU8(
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
    ),
    "_rels/.rels": strToU8(
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    ),
    "xl/workbook.xml": strToU8(
      `<?xml version="1.0"?><workbook ${ns} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Contacts" sheetId="2" r:id="rId7"/><sheet name="Other" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    "xl/_rels/workbook.xml.rels": strToU8(
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    ),
    "xl/worksheets/sheet1.xml": strToU8(`<?xml version="1.0"?><worksheet ${ns}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>not this sheet</t></is></c></row></sheetData></worksheet>`),
    "xl/worksheets/sheet2.xml": strToU8(`<?xml version="1.0"?><worksheet ${ns}><dimension ref="A1"/><sheetData>${sheetRows}</sheetData></worksheet>`),
    "xl/sharedStrings.xml": strToU8(
      `<?xml version="1.0"?><sst ${ns} count="${strings.length}" uniqueCount="${strings.length}">${strings.map((s) => `<si>${s}</si>`).join("")}</sst>`,
    ),
  });
}

/** The first sheet of an XLSX file as rows of strings, and the archive's entry names. */
export async function readXlsx(bytes: Uint8Array): Promise<{ rows: string[][]; entries: string[] }> {
  const source = memorySource(bytes);
  const book = await openXlsx(source);
  const lookup = sharedStringLookup(await loadSharedStrings(source, book));
  const rows: string[][] = [];
  for await (const row of readSheetRows(source, book, lookup)) rows.push(row.cells);
  return { rows, entries: [...(await readZipDirectory(source)).keys()] };
}
