// Connecting a WhatsApp Business number: check the number with the token (GET /{phone-number-id}),
// refuse a number already connected, subscribe the app to the business account when one is named,
// store the token and app secret sealed with a generated verify token, shown once for Meta's form.
import { z } from "@hono/zod-openapi";
import { randomToken } from "../../lib/crypto";
import { AppError, invalidField } from "../../lib/errors";
import { assertAccountFree, enableConnection, insertPendingConnection } from "../../modules/channels-config/channels.service";
import type { ConnectHandlers } from "../channel-adapter";
import { graph, WhatsAppApiError } from "./whatsapp-api";
import type { WhatsAppConfig, WhatsAppCredentials } from "./whatsapp-credentials";

const graphId = (what: string) => z.string().trim().regex(/^\d{5,25}$/, `${what} is a number of digits`);

export const ConnectWhatsAppBody = z
  .object({
    channelKey: z.literal("whatsapp"),
    phoneNumberId: graphId("the phone number ID").openapi({ description: "Meta App Dashboard → WhatsApp → API Setup: Phone number ID" }),
    accessToken: z
      .string()
      .trim()
      .min(20, "an access token is a long string starting with EAA")
      .max(4096)
      .regex(/^\S+$/, "an access token has no spaces")
      .openapi({ description: "A System User access token with the whatsapp_business_messaging permission (or API Setup's temporary token)" }),
    appSecret: z
      .string()
      .trim()
      .regex(/^[0-9a-fA-F]{32}$/, "the app secret is 32 hexadecimal characters")
      .openapi({ description: "App settings → Basic: App secret (signs every webhook)" }),
    businessAccountId: graphId("the WhatsApp Business Account ID")
      .optional()
      .openapi({ description: "API Setup: WhatsApp Business Account ID. When given, the app is subscribed to its webhooks" }),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .openapi("ConnectWhatsApp");

interface PhoneNumberInfo {
  id: string;
  display_phone_number?: string;
  verified_name?: string;
  quality_rating?: string;
}

/** Graph's refusal, as the field the owner has to correct (or 502 when Meta failed). */
function providerError(error: unknown, field: "body.phoneNumberId" | "body.businessAccountId"): AppError {
  if (!(error instanceof WhatsAppApiError)) return error instanceof AppError ? error : new AppError("upstream_error", String(error));
  if (error.status === 0 || error.status >= 500 || error.status === 429 || error.graph?.is_transient) {
    return new AppError("upstream_error", `${error.message}; try again`);
  }
  const code = error.graph?.code;
  // 190: the token is invalid or expired; 102/104: no usable session; 10/200-299: no permission.
  if (error.status === 401 || code === 190 || code === 102 || code === 104) {
    return invalidField("body.accessToken", `WhatsApp refused the access token (${error.message})`);
  }
  if (code === 10 || (code !== undefined && code >= 200 && code < 300)) {
    return invalidField("body.accessToken", `the access token may not use this account (${error.message})`);
  }
  // 100 (object does not exist or cannot be read), 803 (unknown id), 404.
  return invalidField(field, `WhatsApp does not know it for this token (${error.message})`);
}

export const whatsappConnect: ConnectHandlers<typeof ConnectWhatsAppBody> = {
  body: ConnectWhatsAppBody,
  async connect({ db, env, caller }, input) {
    const number = await graph<PhoneNumberInfo>(env, input.accessToken, "checking the phone number", {
      path: input.phoneNumberId,
      query: { fields: "id,display_phone_number,verified_name,quality_rating" },
    }).catch((error: unknown) => {
      throw providerError(error, "body.phoneNumberId");
    });
    const display = number.display_phone_number ?? input.phoneNumberId;
    await assertAccountFree(db, "whatsapp", input.phoneNumberId, "body.phoneNumberId", `WhatsApp number ${display}`);
    if (input.businessAccountId) {
      // Meta sends a business account's webhooks only to the apps subscribed to it.
      await graph(env, input.accessToken, "subscribing the app to the business account", {
        method: "POST",
        path: `${input.businessAccountId}/subscribed_apps`,
      }).catch((error: unknown) => {
        throw providerError(error, "body.businessAccountId");
      });
    }
    const credentials: WhatsAppCredentials = {
      accessToken: input.accessToken,
      appSecret: input.appSecret,
      verifyToken: randomToken("", 24),
    };
    const config: WhatsAppConfig = {
      phoneNumberId: input.phoneNumberId,
      displayPhoneNumber: number.display_phone_number ?? null,
      verifiedName: number.verified_name ?? null,
      qualityRating: number.quality_rating ?? null,
      businessAccountId: input.businessAccountId ?? null,
    };
    const pending = await insertPendingConnection(db, env, caller, {
      channelKey: "whatsapp",
      name: input.name ?? (number.verified_name ? `${number.verified_name} (${display})` : `WhatsApp ${display}`),
      credentials,
      config: { ...config },
      externalAccountId: input.phoneNumberId,
    });
    const connection = await enableConnection(db, caller, pending, { phoneNumberId: input.phoneNumberId, displayPhoneNumber: config.displayPhoneNumber });
    return { connection, showOnce: { verifyToken: credentials.verifyToken } };
  },
};
