// What a rep can do from any chat app, once: each action takes the rep (a Caller) and plain
// inputs, checks nothing a service would not (the services decide who may see and change what,
// exactly as for the API), and answers an Answer — data, a short text, neutral buttons. The
// Telegram bot (bots/telegram) and the Discord bot (bots/discord) only parse their platform's
// input, call these, and draw the answers. See README.md in this folder.
export * from "./types";
export { contactCard, findContacts, myPins } from "./contacts";
export { contactDeals, dealCard, loseDeal, moveDeal, myOpenDeals, openDeal, winDeal } from "./deals";
export { counterpartName, inbox, type InboxPosition, readConversation, readMessage, replyPrompt, type ReplyTarget } from "./inbox";
export { notificationButtons, notificationText } from "./notifications";
export { qualifyContact, qualifyMenu, ratingRows, scoreContact } from "./rating";
export { sendReply } from "./reply";
export { myStats, repStats, startOfDay } from "./stats";
export { decodeButton, encodeButton, runButton, UnknownButton } from "./registry";
export { pipelineBoard, totalsLine, type BoardFacts } from "./board";
export { messageCard, showContact, type MessageCardFacts } from "./cards";
export { contactChoices, dealChoices, memberChoices, pipelineChoices, resolveChoice, stageChoices, MAX_CHOICES, type Choice } from "./choices";
export { pinToSlot, startDeal, type NewDealInput } from "./entries";
export { isPeriod, PERIODS, statsFor, type Period, type PeriodStatsFacts } from "./period-stats";
