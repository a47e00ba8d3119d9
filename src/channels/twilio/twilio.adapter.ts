// The Twilio channel: one connection (channelKey "sms") per sender serves SMS/MMS and phone calls.
// Every request Twilio makes carries X-Twilio-Signature over the URL it called and its parameters;
// nothing is parsed before that signature checks out under the account's Auth Token.
import { credentialsOf } from "../../modules/channels-config/channels.service";
import type { ChannelAdapter, WebhookHandlers } from "../channel-adapter";
import { twilioConnect } from "./twilio.connect";
import type { TwilioCredentials } from "./twilio-credentials";
import { checkTwilioSend, downloadTwilioMedia, ingestTwilioMessages, isMessagesPath, sendTwilioMessage, twilioDeliveryUpdates } from "./twilio.messaging";
import { ingestTwilioCalls, respondToVoice, startTwilioCall } from "./twilio.voice";
import { twiml, verifyTwilioSignature, VOICE_SUBPATHS } from "./twilio-webhook";

const twilioWebhook: WebhookHandlers = {
  subpaths: ["messages", "status", ...VOICE_SUBPATHS],
  async verify({ env, connection }, request) {
    const { authToken } = await credentialsOf<TwilioCredentials>(env, connection);
    return (await verifyTwilioSignature(authToken, request))
      ? { ok: true }
      : { ok: false, reason: "wrong or missing X-Twilio-Signature (signed over the URL Twilio called and the form parameters)" };
  },
  async respond(ctx, request, applied) {
    // A contact's text gets no inline reply (replies go through the REST API, with status tracking).
    if (isMessagesPath(request.subpath)) return twiml();
    if (request.subpath === "status") return new Response(null, { status: 204 });
    return respondToVoice(ctx, request, applied);
  },
};

export const twilioAdapter = {
  channel: "sms",
  callChannels: ["phone"],
  storesOnly: false,
  connect: twilioConnect,
  webhook: twilioWebhook,
  webhookUrls: (baseUrl: string) => ({
    messages: `${baseUrl}/messages`,
    status: `${baseUrl}/status`,
    voice: `${baseUrl}/voice`,
    voiceStatus: `${baseUrl}/voiceStatus`,
  }),
  ingestInboundMessage: ingestTwilioMessages,
  updateDelivery: twilioDeliveryUpdates,
  ingestInboundCall: ingestTwilioCalls,
  startCall: startTwilioCall,
  checkSend: checkTwilioSend,
  sendMessage: sendTwilioMessage,
  downloadMedia: downloadTwilioMedia,
} as const satisfies ChannelAdapter;
