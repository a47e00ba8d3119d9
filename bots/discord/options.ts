// Reading a command's options: the subcommand used, and each option's value by name — typed
// loosely on purpose, since autocomplete delivers partial input (a half-typed string, no number).
import type { APIApplicationCommandInteractionDataOption } from "discord-api-types/v10";
import { AppError } from "../../src/lib/errors";

const SUB_COMMAND = 1;
const SUB_COMMAND_GROUP = 2;

export interface CommandInput {
  name: string;
  subcommand: string | null;
  values: Map<string, string | number | boolean>;
  /** The option being typed into (autocomplete). */
  focused: string | null;
}

type RawOption = APIApplicationCommandInteractionDataOption & { value?: unknown; options?: RawOption[]; focused?: boolean };

export function commandInput(data: { name: string; options?: APIApplicationCommandInteractionDataOption[] }): CommandInput {
  let options = (data.options ?? []) as RawOption[];
  let subcommand: string | null = null;
  const nested = options[0];
  if (nested && (nested.type === SUB_COMMAND || nested.type === SUB_COMMAND_GROUP)) {
    subcommand = nested.name;
    options = nested.options ?? [];
    const inner = options[0];
    if (nested.type === SUB_COMMAND_GROUP && inner) {
      subcommand = `${nested.name} ${inner.name}`;
      options = inner.options ?? [];
    }
  }
  const values = new Map<string, string | number | boolean>();
  let focused: string | null = null;
  for (const option of options) {
    if (typeof option.value === "string" || typeof option.value === "number" || typeof option.value === "boolean") values.set(option.name, option.value);
    if (option.focused) focused = option.name;
  }
  return { name: data.name, subcommand, values, focused };
}

export function text(input: CommandInput, name: string): string | undefined {
  const value = input.values.get(name);
  return value === undefined ? undefined : String(value);
}

export function required(input: CommandInput, name: string): string {
  const value = text(input, name);
  if (value === undefined || value.trim() === "") throw new AppError("bad_request", `The ${name} option is required.`);
  return value;
}

export function numeric(input: CommandInput, name: string): number | undefined {
  const value = input.values.get(name);
  if (value === undefined) return undefined;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) throw new AppError("bad_request", `The ${name} option must be a number.`);
  return n;
}

export const shared = (input: CommandInput) => input.values.get("share") === true;
