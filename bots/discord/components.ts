// Buttons, selects and modals on the bot's cards. A press runs its rep action as the presser and
// redraws the pressed message in place (type 7): the deal card after a move, the contact or
// message card after a score, a qualification or "mark read", the inbox after paging or reading.
// Reply and Lost open a modal (the text to send; the reason), whose submission finishes the job.
import type { APIMessage, APIMessageComponentInteraction, APIModalSubmitInteraction } from "discord-api-types/v10";
import { ComponentType, TextInputStyle } from "discord-api-types/v10";
import type { ActionName, Answer, RepContext } from "../rep-actions";
import { dealCard, decodeButton, inbox, loseDeal, replyPrompt, runButton, sendReply, UnknownButton } from "../rep-actions";
import { contactCardBody, dealCardBody, messageCardBody, plainBody } from "./cards";
import type { DiscordContext, Reply } from "./context";
import { repContext } from "./context";
import type { DealCardFacts } from "./render";
import { cut, textMessage } from "./render";

const NO_LONGER_WORKS = "This button no longer works.";
const ephemeral = (text: string): Reply => ({ kind: "message", body: textMessage(text), ephemeral: true });

/** Modal custom_ids: `modal:<purpose>:<id>`, apart from the rep-action button codes. */
const REPLY_MODAL = "modal:reply:";
const LOST_MODAL = "modal:lost:";
const ID = /^[1-9][0-9]{0,15}$/;

/** The message a notification card is about: its Reply button carries the id. */
function cardMessageId(message: APIMessage | undefined): number | null {
  for (const row of message?.components ?? []) {
    for (const component of "components" in row ? row.components : []) {
      const customId = "custom_id" in component ? component.custom_id : undefined;
      const decoded = customId ? decodeButton(customId) : null;
      if (decoded?.action === "reply.prompt" && ID.test(decoded.args[0] ?? "")) return Number(decoded.args[0]);
    }
  }
  return null;
}

/** The pressed message after `action`: the same card drawn afresh, or a new message for a menu. */
async function afterPress(rc: RepContext, action: ActionName, args: readonly string[], answer: Answer, pressed: APIMessage | undefined): Promise<Reply> {
  switch (action) {
    case "deal.show":
    case "deal.stage":
    case "deal.won":
    case "deal.lost":
    case "deal.create":
      return { kind: "update", body: dealCardBody(answer as Answer<DealCardFacts>) };
    case "inbox.page":
      return { kind: "update", body: plainBody(answer) };
    case "conversation.read":
      // The inbox, without what was just read.
      return { kind: "update", body: plainBody({ ...(await inbox(rc)), notice: answer.notice ?? "" }) };
    case "message.read":
      return { kind: "update", body: await messageCardBody(rc, Number(args[0]), answer.notice) };
    case "contact.score":
    case "contact.qualify": {
      const messageId = cardMessageId(pressed);
      const body = messageId ? await messageCardBody(rc, messageId, answer.notice) : await contactCardBody(rc, Number(args[0]), answer.notice);
      return { kind: "update", body };
    }
    default:
      // A menu (a contact's deals, qualify as…) or a prompt: a message of its own, for the presser.
      return { kind: "message", body: plainBody(answer), ephemeral: true };
  }
}

/** The text input of a modal, in either shape Discord submits (Label or the older Action Row). */
function modalValue(interaction: APIModalSubmitInteraction, customId: string): string {
  for (const top of interaction.data.components as unknown as { component?: { custom_id?: string; value?: string }; components?: { custom_id?: string; value?: string }[] }[]) {
    for (const input of [top.component, ...(top.components ?? [])]) {
      if (input?.custom_id === customId && typeof input.value === "string") return input.value;
    }
  }
  return "";
}

function textModal(customId: string, title: string, label: string, input: { id: string; required: boolean; max: number; placeholder: string; paragraph: boolean }): Reply {
  return {
    kind: "modal",
    modal: {
      custom_id: customId,
      title: cut(title, 45),
      components: [
        {
          type: ComponentType.Label,
          label: cut(label, 45),
          component: {
            type: ComponentType.TextInput,
            custom_id: input.id,
            style: input.paragraph ? TextInputStyle.Paragraph : TextInputStyle.Short,
            required: input.required,
            max_length: input.max,
            placeholder: cut(input.placeholder, 100),
          },
        },
      ],
    },
  };
}

export async function onComponent(ctx: DiscordContext, interaction: APIMessageComponentInteraction): Promise<Reply> {
  const rc = repContext(ctx);
  const pressed = decodeButton(interaction.data.custom_id);
  if (!pressed) return ephemeral(NO_LONGER_WORKS);
  // A select's custom_id is the action without its last argument: the chosen value.
  const args = interaction.data.component_type === ComponentType.StringSelect ? [...pressed.args, interaction.data.values[0] ?? ""] : pressed.args;
  try {
    if (pressed.action === "reply.prompt") {
      if (!ID.test(args[0] ?? "")) return ephemeral(NO_LONGER_WORKS);
      const target = await replyPrompt(rc, Number(args[0]));
      return textModal(`${REPLY_MODAL}${target.data.messageId}`, `Reply to ${target.data.name}`, "Your answer", {
        id: "text",
        required: true,
        max: 4000,
        placeholder: target.data.body ? `Re: ${target.data.body}` : "Sent on the conversation's channel, as you",
        paragraph: true,
      });
    }
    if (pressed.action === "deal.lost") {
      if (!ID.test(args[0] ?? "")) return ephemeral(NO_LONGER_WORKS);
      const card = await dealCard(rc, Number(args[0]));
      if (card.data.deal.statusKey !== "open") return { kind: "update", body: dealCardBody({ ...card, notice: `Already ${card.data.deal.statusKey}` }) };
      return textModal(`${LOST_MODAL}${card.data.deal.id}`, "Why was it lost?", "Reason (optional)", {
        id: "reason",
        required: false,
        max: 500,
        placeholder: "Price, timing, went with a competitor…",
        paragraph: false,
      });
    }
    const answer = await runButton(rc, pressed.action, args);
    return afterPress(rc, pressed.action, args, answer, interaction.message);
  } catch (error) {
    if (error instanceof UnknownButton) return ephemeral(NO_LONGER_WORKS);
    throw error;
  }
}

export async function onModal(ctx: DiscordContext, interaction: APIModalSubmitInteraction): Promise<Reply> {
  const rc = repContext(ctx);
  const customId = interaction.data.custom_id;
  const id = customId.slice(customId.lastIndexOf(":") + 1);
  if (!ID.test(id)) return ephemeral("This form no longer works.");
  if (customId.startsWith(REPLY_MODAL)) {
    const text = modalValue(interaction, "text");
    if (!text.trim()) return ephemeral("Nothing to send: the answer was empty.");
    const target = await replyPrompt(rc, Number(id));
    const sent = await sendReply(rc, { conversationId: target.data.conversationId, upToMessageId: target.data.messageId, text, contactName: target.data.name });
    return ephemeral(sent.text);
  }
  if (customId.startsWith(LOST_MODAL)) {
    const reason = modalValue(interaction, "reason").trim();
    const card = dealCardBody(await loseDeal(rc, Number(id), reason || undefined));
    // From the deal card's Lost button: the card itself shows the outcome.
    return interaction.message ? { kind: "update", body: card } : { kind: "message", body: card, ephemeral: true };
  }
  return ephemeral("This form no longer works.");
}

