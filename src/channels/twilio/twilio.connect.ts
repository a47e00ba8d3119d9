// Connecting a Twilio account: check the Account SID and Auth Token against the account itself
// (GET /Accounts/{sid}.json), store the token sealed and the sender in the connection. Twilio is
// not told anything: the owner pastes the connection's four webhook URLs into Twilio's console.
import { z } from "@hono/zod-openapi";
import { AppError, invalidField } from "../../lib/errors";
import { normalizePhone } from "../../lib/phone";
import { assertAccountFree, enableConnection, insertPendingConnection } from "../../modules/channels-config/channels.service";
import type { ConnectHandlers } from "../channel-adapter";
import { accountPath, TwilioApiError, twilioRequest } from "./twilio-api";
import type { TwilioConfig, TwilioCredentials } from "./twilio-credentials";

export const ConnectTwilioBody = z
  .object({
    channelKey: z.literal("sms"),
    accountSid: z
      .string()
      .trim()
      .regex(/^AC[0-9a-fA-F]{32}$/, "an Account SID is AC followed by 32 hex digits")
      .openapi({ description: "Twilio console → Account info" }),
    authToken: z.string().trim().min(16).max(128).openapi({ description: "Twilio console → Account info (stored encrypted)" }),
    from: z.string().trim().min(1).max(40).optional().openapi({ description: "The Twilio number SMS and calls leave from (E.164); calls need it" }),
    messagingServiceSid: z
      .string()
      .trim()
      .regex(/^MG[0-9a-fA-F]{32}$/, "a Messaging Service SID is MG followed by 32 hex digits")
      .optional()
      .openapi({ description: "SMS leave through this Messaging Service instead of `from`" }),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .openapi("ConnectTwilio");

interface TwilioAccount {
  sid: string;
  friendly_name: string;
  status: string;
  type?: string;
}

function providerError(error: unknown): AppError {
  if (error instanceof TwilioApiError && (error.status === 401 || error.status === 403)) {
    return invalidField("body.authToken", `Twilio refused the Account SID and Auth Token (${error.code ?? error.status}: ${error.message})`);
  }
  if (error instanceof TwilioApiError && error.status === 404) {
    return invalidField("body.accountSid", `Twilio knows no such account (${error.code ?? 404}: ${error.message})`);
  }
  if (error instanceof TwilioApiError) return new AppError("upstream_error", `Twilio refused the request (${error.code ?? error.status}: ${error.message})`);
  return new AppError("upstream_error", error instanceof Error ? error.message : String(error));
}

export const twilioConnect: ConnectHandlers<typeof ConnectTwilioBody> = {
  body: ConnectTwilioBody,
  async connect({ db, env, caller }, input) {
    let from: string | null = null;
    if (input.from !== undefined) {
      from = normalizePhone(input.from, caller.defaultCountry);
      if (!from) throw invalidField("body.from", `"${input.from}" is not a valid phone number for ${caller.defaultCountry}`);
    }
    const messagingServiceSid = input.messagingServiceSid ?? null;
    if (!from && !messagingServiceSid) {
      throw invalidField("body.from", "give the Twilio number to send from (E.164), or a messagingServiceSid");
    }
    const credentials: TwilioCredentials = { accountSid: input.accountSid, authToken: input.authToken };
    const account = await twilioRequest<TwilioAccount>(env, credentials, "GET", accountPath(input.accountSid, ".json")).catch((error: unknown) => {
      throw providerError(error);
    });
    if (account.status !== "active") throw invalidField("body.accountSid", `the Twilio account is ${account.status}`);

    // One connection per sender: each has its own webhook URLs, so two numbers of one account stay apart.
    const sender = from ?? messagingServiceSid!;
    await assertAccountFree(db, "sms", `${account.sid}/${sender}`, from ? "body.from" : "body.messagingServiceSid", `Twilio sender ${sender}`);
    const config: TwilioConfig = { accountSid: account.sid, from, messagingServiceSid, friendlyName: account.friendly_name, accountType: account.type ?? null };
    const pending = await insertPendingConnection(db, env, caller, {
      channelKey: "sms",
      name: input.name ?? `Twilio ${from ?? account.friendly_name}`,
      credentials,
      config: { ...config },
      externalAccountId: `${account.sid}/${sender}`,
    });
    return { connection: await enableConnection(db, caller, pending, { accountSid: account.sid, from, messagingServiceSid }) };
  },
};
