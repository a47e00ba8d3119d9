// The parts of WhatsApp's webhook notifications Parley reads (Meta's business-messaging OpenAPI:
// WebhookPayload, Entry, Change, Metadata, ContactProfile, the message types, Statuses). Anything
// else a notification carries is kept verbatim in the message's payload.

export interface WaNotification {
  object?: string;
  entry?: WaEntry[];
}

export interface WaEntry {
  /** The WhatsApp Business Account id. */
  id?: string;
  changes?: WaChange[];
}

export interface WaChange {
  field?: string;
  value?: WaValue;
}

export interface WaValue {
  messaging_product?: string;
  metadata?: { display_phone_number?: string; phone_number_id?: string };
  contacts?: WaContact[];
  messages?: WaMessage[];
  statuses?: WaStatus[];
  errors?: WaError[];
}

export interface WaContact {
  /** The user's phone number as digits; absent for a user who hides it behind a username. */
  wa_id?: string;
  /** Business-scoped user id (BSUID), e.g. `US.13491208655302741918`. */
  user_id?: string;
  profile?: { name?: string; username?: string };
}

export interface WaError {
  code?: number;
  title?: string;
  message?: string;
  error_data?: { details?: string };
}

export interface WaMedia {
  id?: string;
  mime_type?: string;
  sha256?: string;
  caption?: string;
  filename?: string;
  voice?: boolean;
  animated?: boolean;
}

export interface WaSharedContact {
  name?: { formatted_name?: string; first_name?: string; last_name?: string };
  org?: { company?: string; title?: string };
  phones?: { phone?: string; wa_id?: string; type?: string }[];
  emails?: { email?: string; type?: string }[];
}

export interface WaMessage {
  /** Sender's phone number as digits (wa_id); absent for username-only users. */
  from?: string;
  /** Sender's business-scoped user id. */
  from_user_id?: string;
  id?: string;
  /** Unix seconds, as a string. */
  timestamp?: string;
  type?: string;
  context?: { from?: string; id?: string };
  text?: { body?: string };
  image?: WaMedia;
  video?: WaMedia;
  audio?: WaMedia;
  document?: WaMedia;
  sticker?: WaMedia;
  location?: { latitude?: number; longitude?: number; name?: string; address?: string; url?: string };
  contacts?: WaSharedContact[];
  interactive?: {
    type?: string;
    button_reply?: { id?: string; title?: string };
    list_reply?: { id?: string; title?: string; description?: string };
    nfm_reply?: { name?: string; body?: string; response_json?: string };
  };
  button?: { payload?: string; text?: string };
  reaction?: { message_id?: string; emoji?: string };
  order?: { catalog_id?: string; text?: string; product_items?: unknown[] };
  errors?: WaError[];
}

export interface WaStatus {
  /** The wamid our send was given. */
  id?: string;
  status?: string;
  timestamp?: string;
  recipient_id?: string;
  errors?: WaError[];
}
