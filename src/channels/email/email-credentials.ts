// What an e-mail connection keeps: the provider's API key and event-webhook secret (sealed), and
// the public facts — the address contacts write to, the name mail is sent under.

export interface EmailCredentials {
  /** The outbound provider's API key (Resend `re_…`). */
  apiKey: string;
  /** The provider's event-webhook signing secret (`whsec_<base64>`), when events are set up. */
  webhookSecret: string | null;
}

export interface EmailConfig {
  /** The mailbox contacts write to, lower-cased; Email Routing hands its mail to this Worker. */
  address: string;
  /** Shown after the rep's name: `"Ana via Acme Sales" <sales@acme.test>`. */
  fromName: string;
  /** What the provider said of the address's domain when connecting (null: the key may only send). */
  domainStatus: string | null;
}
