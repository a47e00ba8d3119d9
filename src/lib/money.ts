// Money leaves the API as a decimal number in major units (1234.5) and is stored as integer minor
// units (123450), so sums in SQL are exact. Every currency is given two decimals.
import { z } from "@hono/zod-openapi";

const MINOR_PER_MAJOR = 100;
/** Keeps every stored amount and any realistic sum of them a safe integer. */
export const MAX_AMOUNT = 1_000_000_000_000;

export const toMinor = (amount: number): number => Math.round(amount * MINOR_PER_MAJOR);
export const fromMinor = (minor: number): number => minor / MINOR_PER_MAJOR;
export const fromMinorOrNull = (minor: number | null): number | null => (minor === null ? null : fromMinor(minor));

/** True when `amount` has no more than two decimals (within binary floating-point noise). */
const hasAtMostTwoDecimals = (amount: number): boolean =>
  Math.abs(amount * MINOR_PER_MAJOR - toMinor(amount)) < 1e-6;

export const amountSchema = z
  .number()
  .min(0)
  .max(MAX_AMOUNT)
  .refine(hasAtMostTwoDecimals, "at most 2 decimal places")
  .openapi({ description: "Major units, at most 2 decimals", example: 1234.5 });

export const currencySchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, "an ISO 4217 code such as USD")
  .openapi({ example: "USD" });
