// What a Twilio connection keeps: the account's Auth Token (sealed: it signs every webhook and
// authenticates every REST call) and the public facts of where messages and calls leave from.

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

export interface TwilioConfig {
  accountSid: string;
  /** The Twilio number (E.164) SMS and calls leave from; calls need it. */
  from: string | null;
  /** SMS leave through this Messaging Service when set (its number pool, its opt-out handling). */
  messagingServiceSid: string | null;
  friendlyName: string;
  /** "Trial" accounts reach verified numbers only. */
  accountType: string | null;
}

export const configOf = (connection: { configJson: string }): TwilioConfig => JSON.parse(connection.configJson) as TwilioConfig;
