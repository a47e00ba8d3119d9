// Connecting a mailbox: the address Email Routing hands to this Worker, the outbound provider's
// API key (checked against the provider, and against the address's domain when the key may
// list domains) and the event-webhook secret. One address belongs to one connection, in any
// workspace: the recipient of a mail is what picks its workspace.
import { z } from "@hono/zod-openapi";
import { AppError, invalidField } from "../../lib/errors";
import { normalizeEmail } from "../../lib/phone";
import { assertAccountFree, enableConnection, insertPendingConnection } from "../../modules/channels-config/channels.service";
import type { ConnectHandlers } from "../channel-adapter";
import { EmailApiError, EmailApiUnreachable, listDomains } from "./email-api";
import type { EmailConfig, EmailCredentials } from "./email-credentials";

export const ConnectEmailBody = z
  .object({
    channelKey: z.literal("email"),
    address: z
      .string()
      .trim()
      .pipe(z.email().max(254))
      .refine((a) => !a.split("@")[0]!.includes("+"), "use the mailbox without a +tag: Parley adds its own tags for replies")
      .openapi({ description: "The mailbox contacts write to; an Email Routing rule sends its mail to this Worker", example: "sales@acme.test" }),
    fromName: z.string().trim().min(1).max(100).optional().openapi({ description: "Mail goes out as `\"<rep> via <fromName>\" <address>`; default: the connection's name" }),
    apiKey: z.string().trim().min(8).max(500).openapi({ description: "The outbound provider's API key (Resend `re_…`)" }),
    webhookSecret: z
      .string()
      .trim()
      .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, "a signing secret looks like whsec_<base64>")
      .optional()
      .openapi({ description: "The provider's event-webhook signing secret, for delivery events at webhookUrl" }),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .openapi("ConnectEmail");

function providerError(error: unknown): AppError {
  if (error instanceof EmailApiError && (error.status === 401 || error.status === 403)) {
    return invalidField("body.apiKey", `Resend refused the API key (${error.status} ${error.errorName}: ${error.message})`);
  }
  if (error instanceof EmailApiError) return new AppError("upstream_error", `Resend answered ${error.status} ${error.errorName}: ${error.message}`);
  const reason = error instanceof Error ? error.message : String(error);
  return new AppError("upstream_error", `Resend could not be reached: ${error instanceof EmailApiUnreachable ? reason : `unexpected failure: ${reason}`}`);
}

export const emailConnect: ConnectHandlers<typeof ConnectEmailBody> = {
  body: ConnectEmailBody,
  async connect({ db, env, caller }, input) {
    const address = normalizeEmail(input.address);
    await assertAccountFree(db, "email", address, "body.address", `the address ${address}`);
    const domain = address.slice(address.lastIndexOf("@") + 1);
    const listed = await listDomains(env, input.apiKey).catch((error: unknown) => {
      throw providerError(error);
    });
    let domainStatus: string | null = null;
    if (listed) {
      const found = listed.domains.find((d) => d.name === domain);
      if (!found && listed.complete) {
        throw invalidField("body.address", `${domain} is not a sending domain of this Resend account: add and verify it there first`);
      }
      if (found && found.status !== "verified") {
        throw invalidField("body.address", `${domain} is ${found.status} at Resend: mail from it would be refused until it is verified`);
      }
      domainStatus = found?.status ?? null;
    }
    const name = input.name ?? address;
    const credentials: EmailCredentials = { apiKey: input.apiKey, webhookSecret: input.webhookSecret ?? null };
    const config: EmailConfig = { address, fromName: input.fromName ?? name, domainStatus };
    const pending = await insertPendingConnection(db, env, caller, {
      channelKey: "email",
      name,
      credentials,
      config: { ...config, webhookSecretSet: input.webhookSecret !== undefined },
      externalAccountId: address,
    });
    return { connection: await enableConnection(db, caller, pending, { address }) };
  },
};
