// What a rep can do from any chat app, once: each action takes the rep (a Caller) and plain
// inputs, leaves every permission decision to the services (exactly as for the API), and answers
// an Answer — data, a short text, neutral buttons. The Telegram bot (bots/telegram) and the
// Discord bot (bots/discord) only parse their platform's input, call these, and draw the answers.
// See README.md in this folder.
export * from "./types";
export { contactCard, findContacts, myPins, pinContact, pinContactAt, unpinContact, writePrompt, type ContactFacts } from "./contacts";
export {
  askLost,
  askLostReason,
  askWon,
  contactDeals,
  createDealWith,
  dealCard,
  loseDeal,
  loseDealLike,
  moveDeal,
  myOpenDeals,
  newDeal,
  newDealPrompt,
  parseDealText,
  reopenDeal,
  winDeal,
} from "./deals";
export { deliveryOutcome, failureInWords, retry, type DeliveryFacts } from "./deliveries";
export { counterpartName, inbox, type InboxPosition, readAll, readConversation, readMessage, replyPrompt, type ReplyTarget } from "./inbox";
export { filesOf, fullMessage, notificationCard, type NotificationFacts, refreshCardsLater, textParts } from "./notifications";
export { isPromptAction, runPrompt } from "./prompts";
export { mute, muteUntil, onlyMine, parseMute, quietSettings } from "./quiet";
export { qualifyContact, qualifyMenu, ratingRows, scoreContact } from "./rating";
export { parseTemplate, type Sent, sendReply, sendTemplate, sentNoticeText, templatePrompt, writeToContact } from "./reply";
export { duration, myStats, repStats, sparkline, startOfDay, STATS_PERIODS, type StatsPeriod } from "./stats";
export { decodeButton, encodeButton, runButton, UnknownButton } from "./registry";
export { inWords, refusal } from "./words";
export { pipelineBoard, totalsLine, type BoardFacts } from "./board";
export { messageCard, showContact, type MessageCardFacts } from "./cards";
export { contactChoices, dealChoices, memberChoices, pipelineChoices, resolveChoice, stageChoices, MAX_CHOICES, type Choice } from "./choices";
export { pinToSlot, startDeal, type NewDealInput } from "./entries";
export { isPeriod, PERIODS, statsFor, type Period, type PeriodStatsFacts } from "./period-stats";
