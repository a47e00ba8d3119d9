// Phone numbers are stored in E.164 so that every spelling of a number is one contact.
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js";

export function isCountryCode(value: string): value is CountryCode {
  return isSupportedCountry(value);
}

/** E.164 form of `input`, or null when it is not a valid number. */
export function normalizePhone(input: string, defaultCountry: string): string | null {
  const country = isCountryCode(defaultCountry) ? defaultCountry : undefined;
  const parsed = parsePhoneNumberFromString(input.trim(), country);
  return parsed?.isValid() ? parsed.number : null;
}

export function normalizeEmail(input: string): string {
  return input.trim().toLowerCase();
}
