// `npm run telegram:poll`: for local development with a real bot and no public URL. Reads the
// local Worker's Telegram connections, polls getUpdates for each bot, and forwards every update
// to the local webhook with its secret token — exactly what Telegram would send.
//
// Needs: `npm run dev` running, a bot connected with POST /v1/channels, and ENCRYPTION_KEY in
// .dev.vars (the key that sealed the bot's credentials).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
const workerUrl = process.env.PARLEY_URL ?? "http://localhost:8787";

function devVar(name: string): string {
  const line = readFileSync(join(root, ".dev.vars"), "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`${name} is missing from .dev.vars`);
  return line.slice(name.length + 1).trim();
}

interface ConnectionRow {
  id: number;
  credentials_ciphertext: string;
  credentials_iv: string;
  config_json: string;
}

function localConnections(): ConnectionRow[] {
  const out = execFileSync(
    process.execPath,
    [
      join(root, "node_modules", "wrangler", "bin", "wrangler.js"),
      "d1",
      "execute",
      "DB",
      "--local",
      "--json",
      "--command",
      "SELECT id, credentials_ciphertext, credentials_iv, config_json FROM channel_connections WHERE channel_key = 'telegram' AND disabled_at IS NULL",
    ],
    { cwd: root, encoding: "utf8" },
  );
  return (JSON.parse(out) as { results: ConnectionRow[] }[])[0]?.results ?? [];
}

async function decrypt(keyBase64: string, row: ConnectionRow): Promise<{ botToken: string; webhookSecret: string }> {
  const key = await crypto.subtle.importKey("raw", Buffer.from(keyBase64, "base64"), "AES-GCM", false, ["decrypt"]);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: Buffer.from(row.credentials_iv, "base64") },
    key,
    Buffer.from(row.credentials_ciphertext, "base64"),
  );
  return JSON.parse(new TextDecoder().decode(plain)) as { botToken: string; webhookSecret: string };
}

async function pollBot(apiRoot: string, connectionId: number, botToken: string, secret: string, username: string) {
  let offset = 0;
  console.log(`polling @${username} → ${workerUrl}/webhooks/telegram/${connectionId}`);
  for (;;) {
    try {
      const res = await fetch(`${apiRoot}/bot${botToken}/getUpdates`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ offset, timeout: 25, allowed_updates: ["message", "edited_message", "callback_query"] }),
      });
      const body = (await res.json()) as { ok: boolean; result?: { update_id: number }[]; description?: string };
      if (!body.ok) throw new Error(body.description ?? `HTTP ${res.status}`);
      for (const update of body.result ?? []) {
        const forwarded = await fetch(`${workerUrl}/webhooks/telegram/${connectionId}`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
          body: JSON.stringify(update),
        });
        console.log(`update ${update.update_id} → ${forwarded.status}`);
        // Like Telegram: an update the Worker failed on is offered again.
        if (forwarded.status >= 500) break;
        offset = update.update_id + 1;
      }
    } catch (error) {
      console.error(`@${username}: ${error instanceof Error ? error.message : String(error)}; retrying in 5 s`);
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
}

const apiRoot = (process.env.TELEGRAM_API_BASE_URL ?? "https://api.telegram.org").replace(/\/+$/, "");
const key = devVar("ENCRYPTION_KEY");
const connections = localConnections();
if (connections.length === 0) {
  console.error("No Telegram bot is connected to the local Worker. Connect one first:");
  console.error(`  curl -X POST ${workerUrl}/v1/channels -H "Authorization: Bearer <owner token>" \\`);
  console.error(`       -H "content-type: application/json" -d '{"channelKey":"telegram","botToken":"<from @BotFather>"}'`);
  process.exit(1);
}
await Promise.all(
  connections.map(async (row) => {
    const { botToken, webhookSecret } = await decrypt(key, row);
    const { username } = JSON.parse(row.config_json) as { username: string };
    return pollBot(apiRoot, row.id, botToken, webhookSecret, username);
  }),
);
