// Typed answers to the questions actions ask (Answer.prompt): the bot keeps the question open and
// hands the rep's text here with the question's action and arguments.
import { createDealWith, loseDeal } from "./deals";
import { sendReply, sendTemplate, writeToContact } from "./reply";
import { counterpartName } from "./inbox";
import { findConversation } from "../../src/modules/conversations/conversations.service";
import { messageChannels, type MessageChannel } from "../../src/db/schema";
import { type Answer, PROMPT_ACTIONS, type PromptAction, type RepContext } from "./types";
import { UnknownButton } from "./registry";
import { refusal } from "./words";

const id = (arg: unknown): number => {
  if (typeof arg !== "number" || !Number.isSafeInteger(arg) || arg < 1) throw new UnknownButton(`not an id: ${String(arg)}`);
  return arg;
};

export const isPromptAction = (action: string): action is PromptAction => (PROMPT_ACTIONS as readonly string[]).includes(action);

/** Answer the question `action(args)` with `text`. */
export async function runPrompt(ctx: RepContext, action: PromptAction, args: readonly unknown[], text: string): Promise<Answer> {
  const typed = text.trim();
  if (!typed) throw refusal("That was empty — type some text, or /cancel.");
  switch (action) {
    case "reply": {
      const conversation = await findConversation(ctx.db, ctx.rep, id(args[0]));
      const name = await counterpartName(ctx.db, ctx.rep, conversation);
      return sendReply(ctx, { conversationId: conversation.id, upToMessageId: id(args[1]), text, contactName: name, contactId: conversation.contactId });
    }
    case "write": {
      const channel = args[1];
      if (typeof channel !== "string" || !(messageChannels as readonly string[]).includes(channel)) throw new UnknownButton("not a channel");
      return writeToContact(ctx, { contactId: id(args[0]), channelKey: channel as MessageChannel, text });
    }
    case "template": {
      const channel = args[1];
      if (typeof channel !== "string" || !(messageChannels as readonly string[]).includes(channel)) throw new UnknownButton("not a channel");
      return sendTemplate(ctx, id(args[0]), channel as MessageChannel, typed);
    }
    case "deal.lostReason":
      return loseDeal(ctx, id(args[0]), typed);
    case "deal.new": {
      const answer = await createDealWith(ctx, id(args[0]), id(args[1]), typed);
      return { ...answer, show: "new" };
    }
  }
}
