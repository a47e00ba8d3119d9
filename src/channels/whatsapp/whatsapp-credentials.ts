// What a WhatsApp connection keeps: the secrets (sealed) and the number's public facts.
import { PermanentJobError } from "../../jobs/errors";

export interface WhatsAppCredentials {
  /** A System User (or temporary) access token with whatsapp_business_messaging. */
  accessToken: string;
  /** The Meta app's secret: the key of X-Hub-Signature-256. */
  appSecret: string;
  /** Generated at connect; the owner types it into Meta's webhook form, Meta echoes it in the GET handshake. */
  verifyToken: string;
}

export interface WhatsAppConfig {
  phoneNumberId: string;
  displayPhoneNumber: string | null;
  verifiedName: string | null;
  qualityRating: string | null;
  businessAccountId: string | null;
}

export const configOf = (configJson: string): WhatsAppConfig => JSON.parse(configJson) as WhatsAppConfig;

/** The sealed secrets, for queue work: secrets that cannot be unsealed will not unseal on a retry either. */
export async function sealedCredentials(unseal: () => Promise<WhatsAppCredentials>): Promise<WhatsAppCredentials> {
  try {
    return await unseal();
  } catch (error) {
    throw new PermanentJobError(
      `the connection's credentials cannot be unsealed (${error instanceof Error ? error.message : String(error)}): connect the number again`,
      "channel_credentials_unreadable",
    );
  }
}
