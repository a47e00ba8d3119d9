// Refusals in words a rep understands: the services speak to API clients ("contact not found",
// "body.stageId: no such stage"), a chat speaks to a person.
import { AppError } from "../../src/lib/errors";

const GONE: Record<string, string> = {
  contact: "This contact no longer exists, or is not in your workspace.",
  conversation: "This conversation no longer exists, or is not one you can see.",
  message: "This message no longer exists, or is not one you can see.",
  deal: "This deal no longer exists, or is not in your workspace.",
  pipeline: "This pipeline no longer exists.",
  delivery: "This message's sending record no longer exists.",
  user: "That colleague is no longer in your workspace.",
};

const capitalised = (text: string) => (text ? text[0]!.toUpperCase() + text.slice(1) : text);
const sentence = (text: string) => capitalised(/[.!?]$/.test(text) ? text : `${text}.`);

/** What went wrong, for the rep: no field paths, no HTTP words. */
export function inWords(error: AppError): string {
  if (error.code === "not_found") {
    const what = error.message.replace(/ not found$/, "");
    return GONE[what] ?? "That no longer exists.";
  }
  // "body.stageId: no such stage in this workspace" → "No such stage in this workspace."
  const message = error.message.replace(/^(?:body|query|params?)\.[A-Za-z0-9_.[\]]+: /, "");
  if (error.code === "rate_limited") return "Too many actions at once — wait a moment and try again.";
  if (error.code === "outside_customer_window") {
    return "More than 24 hours have passed since they last wrote on WhatsApp (or they never have): only an approved template can go out now.";
  }
  if (error.code === "forbidden") return "Only the workspace's owners may do that.";
  return sentence(message);
}

/** A refusal a rep action raises itself (a choice that no longer fits), already in words. */
export const refusal = (message: string) => new AppError("conflict", message);
