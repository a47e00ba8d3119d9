// What a WhatsApp connection keeps: the secrets (sealed) and the number's public facts.

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
