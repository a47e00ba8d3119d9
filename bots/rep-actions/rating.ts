// Scoring and qualifying a contact: the same services (and rows, and events) as
// PUT /v1/contacts/{id}/score and /qualification, as the rep.
import { type AiSuggestion, contactAiSuggestion } from "../../src/modules/qualification/classification.service";
import { listQualificationKinds, setContactQualification, setContactScore } from "../../src/modules/qualification/qualification.service";
import { suggestionText } from "./format";
import { contactCard } from "./contacts";
import { refreshCardsLater } from "./notifications";
import { type Answer, backButton, button, type Keyboard, type RepContext } from "./types";

export { ratingRows } from "./format";

/** Score the contact 1–5; answers the contact's card, redrawn. */
export async function scoreContact(ctx: RepContext, contactId: number, value: number) {
  const score = await setContactScore(ctx.db, ctx.rep, contactId, value);
  await refreshCardsLater(ctx, contactId);
  return contactCard(ctx, contactId, `Scored ⭐${value}${score.value !== value ? ` (effective ⭐${score.value})` : ""}`);
}

/** The workspace's qualification kinds as a choice, three a row — the AI's suggestion first, on its own row. */
export async function qualifyMenu(
  ctx: RepContext,
  contactId: number,
): Promise<Answer<{ contactId: number; kinds: { key: string; label: string }[]; suggestion: AiSuggestion | null }>> {
  const kinds = await listQualificationKinds(ctx.db, ctx.rep.workspaceId);
  const suggestion = await contactAiSuggestion(ctx.db, ctx.rep.workspaceId, contactId);
  const buttons: Keyboard = suggestion ? [[button(`🤖 ${suggestionText(suggestion)}`, "contact.qualify", contactId, suggestion.kindKey)]] : [];
  kinds.forEach((kind, i) => {
    if (i % 3 === 0) buttons.push([]);
    buttons[buttons.length - 1]!.push(button(kind.label, "contact.qualify", contactId, kind.key));
  });
  buttons.push([backButton("contact.show", contactId)]);
  return { data: { contactId, kinds: kinds.map(({ key, label }) => ({ key, label })), suggestion }, text: "Qualify as:", buttons, show: "menu" };
}

export async function qualifyContact(ctx: RepContext, contactId: number, kindKey: string) {
  await setContactQualification(ctx.db, ctx.rep, contactId, { kindKey });
  const kinds = await listQualificationKinds(ctx.db, ctx.rep.workspaceId);
  await refreshCardsLater(ctx, contactId);
  return contactCard(ctx, contactId, `Qualified: ${kinds.find((k) => k.key === kindKey)?.label ?? kindKey}`);
}
