// Phone calls through Twilio Programmable Voice. A contact's call (the "voice" webhook) becomes a
// Call in their conversation and is answered with TwiML that rings the reps' phones together for
// 20 s; nobody answering (or nobody having a phone) leads to a voicemail whose recording is kept
// in the conversation. A rep's call rings the rep's phone first (REST Calls.json), then bridges to
// the contact. What the calls do is learnt from three kinds of requests:
// - status callbacks ("voiceStatus") of the call Twilio knows by CallSid;
// - the `answered` callback of a leg our <Dial> placed (it carries ParentCallSid): the moment a
//   rep and the contact are talking — the parent call's own `in-progress` only means Twilio (or,
//   on a rep's call, the rep) picked up, while the other side is still being rung;
// - the <Dial> action ("dial"), with DialCallStatus and DialCallDuration: how the bridge ended.
import { AppError, invalidField } from "../../lib/errors";
import { credentialsOf } from "../../modules/channels-config/channels.service";
import { MAX_RINGING, repsToRing } from "../../modules/calls/calls.service";
import type { AppliedWebhook, CallRecording, CallUpdate, ChannelAdapter, InboundCall, ProviderContext, WebhookRequest } from "../channel-adapter";
import { accountPath, TwilioApiError, twilioRequest } from "./twilio-api";
import { configOf, type TwilioCredentials } from "./twilio-credentials";
import { callbackUrl, e164 } from "./twilio.messaging";
import { formOf, timestampOf, twiml, VOICE_SUBPATHS, xml } from "./twilio-webhook";

/** How long the reps' phones ring together before the caller is offered voicemail. */
export const RING_SECONDS = 20;
/** How long a rep's call rings the contact once the rep picked up. */
const CONTACT_RING_SECONDS = 30;
const VOICEMAIL_MAX_SECONDS = 120;

/** A leg our <Dial> places: Twilio reports its answer to the voiceStatus URL with the parent's sid. */
const numberNoun = (ctx: Pick<ProviderContext, "env" | "connection">, phone: string) =>
  `<Number statusCallbackEvent="answered" statusCallback="${xml(callbackUrl(ctx, "voiceStatus"))}">${xml(phone)}</Number>`;

/** A short apology and a voicemail <Record>; the recording arrives on the "recording" callback. */
export const voicemailTwiml = (ctx: Pick<ProviderContext, "env" | "connection">) =>
  `<Say>Sorry, nobody can take your call right now. Please leave a message after the tone.</Say>` +
  `<Record maxLength="${VOICEMAIL_MAX_SECONDS}" playBeep="true" action="${xml(callbackUrl(ctx, "voicemail"))}"` +
  ` recordingStatusCallback="${xml(callbackUrl(ctx, "recording"))}" recordingStatusCallbackEvent="completed"/>`;

const DIAL_CONNECTED = new Set(["completed", "answered"]);

/** A parent call's `CallStatus` as the Call's status (see the module comment for `in-progress`). */
function parentStatusOf(status: string): CallUpdate["status"] | null {
  switch (status) {
    case "queued":
    case "initiated":
      return "initiated";
    case "ringing":
    case "in-progress":
      return "ringing";
    case "completed":
      return "ended";
    case "busy":
    case "no-answer":
    case "canceled":
      return "missed";
    case "failed":
      return "failed";
    default:
      return null;
  }
}

function need(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (!value) throw new AppError("bad_request", `the Twilio request lacks ${name}`);
  return value;
}

/** Calls contacts place, progress of known calls, and voicemail recordings, by the sub-path Twilio called. */
export async function ingestTwilioCalls(_ctx: ProviderContext, request: WebhookRequest): Promise<{ calls: InboundCall[]; updates: CallUpdate[]; recordings: CallRecording[] }> {
  const none = { calls: [], updates: [], recordings: [] };
  if (!(VOICE_SUBPATHS as readonly string[]).includes(request.subpath)) return none;
  const form = formOf(request);
  const callSid = need(form, "CallSid");
  switch (request.subpath) {
    case "voice": {
      const from = need(form, "From");
      // Only calls placed to the number are a contact calling; our own calls carry their TwiML inline.
      if ((form.get("Direction") ?? "inbound") !== "inbound") return none;
      const phone = e164(from);
      const call: InboundCall = {
        channel: "phone",
        externalId: callSid,
        from: { externalId: phone, phone, name: form.get("CallerName") || null },
        kind: "voice",
        status: "ringing",
        at: timestampOf(form.get("Timestamp")),
        payload: { twilio: { callSid, to: form.get("To"), from } },
      };
      return { ...none, calls: [call] };
    }
    case "voiceStatus": {
      const callStatus = need(form, "CallStatus");
      const at = timestampOf(form.get("Timestamp"));
      const parent = form.get("ParentCallSid");
      if (parent) return { ...none, updates: callStatus === "in-progress" ? [{ externalId: parent, status: "connected", at }] : [] };
      const status = parentStatusOf(callStatus);
      // The parent's CallDuration counts ringing and voicemail too: the talk time comes from the <Dial> action.
      return { ...none, updates: status ? [{ externalId: callSid, status, at }] : [] };
    }
    case "dial": {
      const dialStatus = form.get("DialCallStatus") ?? "";
      if (DIAL_CONNECTED.has(dialStatus)) {
        const seconds = Number(form.get("DialCallDuration") ?? "0");
        return { ...none, updates: [{ externalId: callSid, status: "ended", durationSeconds: seconds > 0 ? seconds : null }] };
      }
      // Nobody picked up (busy, no-answer, canceled) — or the dialled leg failed on a rep's call.
      const failed = dialStatus === "failed" && form.get("Direction") !== "inbound";
      return { ...none, updates: [{ externalId: callSid, status: failed ? "failed" : "missed" }] };
    }
    case "voicemail":
      return { ...none, updates: [{ externalId: callSid, status: "missed" }] };
    case "recording": {
      if (form.get("RecordingStatus") !== "completed") return none;
      const recordingSid = need(form, "RecordingSid");
      const recordingUrl = need(form, "RecordingUrl");
      const seconds = Number(form.get("RecordingDuration") ?? "");
      return {
        ...none,
        recordings: [
          {
            callExternalId: callSid,
            externalId: recordingSid,
            // Without an extension Twilio serves WAV; MP3 is a tenth of the size.
            media: { ref: `${recordingUrl}.mp3`, key: recordingSid, fileName: `voicemail-${recordingSid}.mp3`, contentType: "audio/mpeg" },
            durationSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : null,
          },
        ],
      };
    }
    default:
      return none;
  }
}

/** The TwiML a voice request is answered with. */
export async function respondToVoice(ctx: ProviderContext, request: WebhookRequest, applied: AppliedWebhook): Promise<Response> {
  const form = formOf(request);
  switch (request.subpath) {
    case "voice": {
      const callSid = form.get("CallSid");
      const call = applied.calls.find((c) => c.call.externalId === callSid)?.call;
      if (!call) return twiml("<Reject/>");
      const reps = await repsToRing(ctx.db, call);
      if (reps.length === 0) return twiml(voicemailTwiml(ctx));
      // The caller hears ringing until a rep picks up (answerOnBridge); the first to answer gets the call.
      const numbers = reps
        .slice(0, MAX_RINGING)
        .map((rep) => numberNoun(ctx, rep.phone))
        .join("");
      return twiml(`<Dial timeout="${RING_SECONDS}" answerOnBridge="true" action="${xml(callbackUrl(ctx, "dial"))}">${numbers}</Dial>`);
    }
    case "dial": {
      const answered = DIAL_CONNECTED.has(form.get("DialCallStatus") ?? "");
      return twiml(!answered && form.get("Direction") === "inbound" ? voicemailTwiml(ctx) : "");
    }
    case "voicemail":
      return twiml("<Hangup/>");
    default:
      // Status and recording callbacks: nothing to say.
      return new Response(null, { status: 204 });
  }
}

/**
 * A rep's call: Twilio rings the rep's phone (To) from the connection's number, and once the rep
 * picks up, the inline TwiML dials the contact with the connection's number as caller id.
 */
export const startTwilioCall: NonNullable<ChannelAdapter["startCall"]> = async (ctx, call) => {
  const { env, connection } = ctx;
  if (call.kind !== "voice") throw invalidField("body.kindKey", "Twilio places voice calls");
  const config = configOf(connection);
  if (!config.from) {
    throw new AppError("conflict", "the Twilio connection has no number to call from: reconnect it with `from`", [{ path: "channel.from", message: "missing" }]);
  }
  const toPhone = call.toPhone ?? call.to?.externalId ?? null;
  if (!toPhone) throw new AppError("conflict", "the contact has no phone number to call", [{ path: "contact.phone", message: "missing" }]);
  if (!call.fromUserPhone) {
    throw new AppError("conflict", "you have no phone number for the call to ring first: set it with PATCH /v1/me {phone}", [
      { path: "user.phone", message: "missing" },
    ]);
  }
  const bridge = `<Response><Dial callerId="${xml(config.from)}" timeout="${CONTACT_RING_SECONDS}" action="${xml(callbackUrl(ctx, "dial"))}">${numberNoun(ctx, toPhone)}</Dial></Response>`;
  const credentials = await credentialsOf<TwilioCredentials>(env, connection);
  try {
    const placed = await twilioRequest<{ sid: string; status: string }>(env, credentials, "POST", accountPath(credentials.accountSid, "/Calls.json"), {
      To: call.fromUserPhone,
      From: config.from,
      Twiml: bridge,
      Timeout: String(RING_SECONDS),
      StatusCallback: callbackUrl(ctx, "voiceStatus"),
      StatusCallbackMethod: "POST",
      StatusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
    });
    return { externalId: placed.sid, status: "initiated" };
  } catch (error) {
    const reason = error instanceof TwilioApiError ? `${error.code ?? error.status}: ${error.message}` : error instanceof Error ? error.message : String(error);
    throw new AppError("upstream_error", `Twilio did not place the call (${reason})`);
  }
};
