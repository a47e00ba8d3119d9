// The contact columns an import reads and an export writes, the header synonyms the importer
// understands, and the per-row validation of an imported contact.
import { z } from "@hono/zod-openapi";
import { normalizeEmail, normalizePhone } from "../../lib/phone";
import { undoDefusedFormula } from "../../lib/files/csv";

/** The exact headers of the import template, in order. */
export const IMPORT_COLUMNS = ["name", "company", "segment", "role", "phone", "email", "city", "state"] as const;
export type ImportField = (typeof IMPORT_COLUMNS)[number];

export const TEMPLATE_EXAMPLE: Record<ImportField, string> = {
  name: "Ada Lovelace",
  company: "Analytical Engines Ltd",
  segment: "enterprise",
  role: "CTO",
  phone: "+1 415 555 0100",
  email: "ada@example.com",
  city: "San Francisco",
  state: "CA",
};

const SYNONYMS: Record<ImportField, string[]> = {
  name: ["name", "full name", "fullname", "contact", "contact name", "client", "customer name"],
  company: ["company", "company name", "organization", "organisation", "org", "business", "account"],
  segment: ["segment", "customer segment"],
  role: ["role", "title", "job title", "position", "job"],
  phone: ["phone", "phone number", "mobile", "mobile phone", "mobile number", "cell", "cell phone", "tel", "telephone", "whatsapp"],
  email: ["email", "e-mail", "mail", "email address", "e-mail address"],
  city: ["city", "town"],
  state: ["state", "region", "province", "county"],
};

/** Header spelling does not matter: case, spaces, dashes and underscores are ignored. */
const headerKey = (header: string) => header.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");

const LOOKUP = new Map<string, ImportField>(
  IMPORT_COLUMNS.flatMap((field) => SYNONYMS[field].map((synonym) => [headerKey(synonym), field] as const)),
);

/** For each field, the column index that holds it (the first column mapping to it wins). */
export type ColumnMap = Partial<Record<ImportField, number>>;

export function mapHeaders(headers: readonly string[]): ColumnMap {
  const map: ColumnMap = {};
  headers.forEach((header, index) => {
    const field = LOOKUP.get(headerKey(header));
    if (field && map[field] === undefined) map[field] = index;
  });
  return map;
}

const LIMITS: Record<ImportField, number> = {
  name: 200,
  company: 200,
  segment: 100,
  role: 100,
  phone: 40,
  email: 320,
  city: 100,
  state: 100,
};

const emailSchema = z.email();

export type ContactFieldsInput = Partial<Record<ImportField, string>>;

export type RowCheck = { ok: true; fields: ContactFieldsInput } | { ok: false; error: string };

/** A phone as given, or (for a bare string of digits such as a number cell) with a leading +. */
function phoneOf(raw: string, country: string): string | null {
  return normalizePhone(raw, country) ?? (/^\d{8,15}$/.test(raw) ? normalizePhone(`+${raw}`, country) : null);
}

/**
 * Validate and normalise one row. Only the non-empty cells are returned: an upsert changes
 * exactly the fields the file gives.
 */
export function checkRow(cells: readonly string[], columns: ColumnMap, defaultCountry: string): RowCheck {
  const fields: ContactFieldsInput = {};
  const errors: string[] = [];
  for (const field of IMPORT_COLUMNS) {
    const index = columns[field];
    // A cell of one of our own CSVs (export, error report) comes back with its formula guard.
    const value = index === undefined ? "" : undoDefusedFormula(cells[index] ?? "").trim();
    if (value === "") continue;
    if (value.length > LIMITS[field]) {
      errors.push(`${field}: longer than ${LIMITS[field]} characters`);
      continue;
    }
    if (field === "phone") {
      const phone = phoneOf(value, defaultCountry);
      if (phone) fields.phone = phone;
      else errors.push(`phone: "${value}" is not a valid phone number for ${defaultCountry}`);
    } else if (field === "email") {
      const email = normalizeEmail(value);
      if (emailSchema.safeParse(email).success) fields.email = email;
      else errors.push(`email: "${value}" is not a valid e-mail address`);
    } else {
      fields[field] = value;
    }
  }
  if (!fields.name && !errors.some((e) => e.startsWith("name:"))) errors.unshift("name: required");
  return errors.length > 0 ? { ok: false, error: errors.join("; ") } : { ok: true, fields };
}
