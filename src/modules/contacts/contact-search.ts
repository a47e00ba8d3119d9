// Builds the FTS5 MATCH expression for the contacts list `q`: every word is a prefix that must
// appear (in name, company, e-mail or phone), and a query that looks like a phone number also
// matches stored E.164 numbers by their digits.
import { getCountryCallingCode } from "libphonenumber-js";
import { isCountryCode, normalizePhone } from "../../lib/phone";

const WORD = /[\p{L}\p{N}]+/gu;

const prefix = (token: string) => `"${token.replace(/"/g, '""')}"*`;

/** The MATCH expression for `q`, or null when `q` holds nothing searchable. */
export function contactMatchExpression(q: string, defaultCountry: string): string | null {
  const words = q.toLowerCase().match(WORD) ?? [];
  if (words.length === 0) return null;
  const alternatives = [words.map(prefix).join(" AND ")];

  const digits = q.replace(/[\s().+-]/g, "");
  if (/^\d{3,}$/.test(digits)) {
    const phoneDigits = new Set<string>([digits]);
    const full = normalizePhone(q, defaultCountry);
    if (full) phoneDigits.add(full.slice(1));
    else if (!q.trim().startsWith("+") && isCountryCode(defaultCountry)) {
      phoneDigits.add(`${getCountryCallingCode(defaultCountry)}${digits.replace(/^0+/, "")}`);
    }
    for (const d of phoneDigits) alternatives.push(`phone : ${prefix(d)}`);
  }
  return alternatives.map((a) => `(${a})`).join(" OR ");
}
