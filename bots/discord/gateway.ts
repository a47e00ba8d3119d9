// `npm run discord:gateway`: the bridge that lets contacts DM the workspace's bot. Discord only
// delivers DMs over its Gateway (a WebSocket a Worker cannot hold), so this small discord.js
// process stays connected with the DirectMessages intent and forwards each DM to the Worker's
// `gateway` URL as the raw MESSAGE_CREATE payload, signed:
//   X-Parley-Timestamp: <unix seconds>
//   X-Parley-Signature: sha256=<hex HMAC-SHA256(key = the bot token, timestamp + "." + body)>
// The Worker refuses anything older than 5 minutes or wrongly signed, ignores DMs from linked
// members (their commands arrive as interactions), and stores the rest once per message id.
// Runs anywhere Node 22 runs (a laptop, a small VM, a container); one process per bot.
//
// Needs DISCORD_BOT_TOKEN and PARLEY_GATEWAY_URL (the connection's `webhookUrls.gateway`).
import { createHmac } from "node:crypto";
import { Client, Events, GatewayIntentBits, Partials } from "discord.js";

function setting(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) {
    console.error(`${name} is not set. Usage:`);
    console.error("  DISCORD_BOT_TOKEN=… PARLEY_GATEWAY_URL=https://…/webhooks/discord/<connection id>/gateway npm run discord:gateway");
    process.exit(2);
  }
  return value;
}

const token = setting("DISCORD_BOT_TOKEN");
const target = setting("PARLEY_GATEWAY_URL");

interface RawMessage {
  id: string;
  guild_id?: string;
  author?: { id: string; bot?: boolean };
}

/** POST the payload, signed; retried on network errors and 5xx (the Worker stores it once). */
async function forward(message: RawMessage): Promise<void> {
  const body = JSON.stringify(message);
  for (let attempt = 1; attempt <= 5; attempt++) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `sha256=${createHmac("sha256", token).update(`${timestamp}.${body}`).digest("hex")}`;
    try {
      const res = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json", "x-parley-timestamp": timestamp, "x-parley-signature": signature },
        body,
      });
      if (res.ok) return void console.log(`DM ${message.id} → ${res.status}`);
      // 4xx: the Worker refused it (wrong token or URL, a disconnected bot): retrying cannot help.
      if (res.status < 500) return void console.error(`DM ${message.id} refused: ${res.status} ${await res.text()}`);
      console.error(`DM ${message.id}: ${res.status}; attempt ${attempt}`);
    } catch (error) {
      console.error(`DM ${message.id}: ${error instanceof Error ? error.message : String(error)}; attempt ${attempt}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** (attempt - 1)));
  }
  console.error(`DM ${message.id} not forwarded after 5 attempts`);
}

// DM content reaches bots without the privileged Message Content intent.
const client = new Client({ intents: [GatewayIntentBits.DirectMessages], partials: [Partials.Channel] });

// The raw dispatch, before discord.js's caches: exactly what Discord sent.
client.on(Events.Raw, (packet: { t?: string | null; d?: unknown }) => {
  if (packet.t !== "MESSAGE_CREATE") return;
  const message = packet.d as RawMessage;
  if (message.guild_id || message.author?.bot) return; // server messages, bots (ourselves included)
  void forward(message);
});

client.once(Events.ClientReady, (ready) => console.log(`${ready.user.tag} is listening for DMs → ${target}`));
await client.login(token);
