// `npm run discord:register [-- --guild <server id>]`: registers the slash commands of
// bots/discord/commands.ts for an application with discord.js's REST client — globally (what
// POST /v1/channels does when an owner connects the bot), or to one server, where changes show at
// once (handy while changing the commands). Register only when the commands change: Discord
// allows 200 command creations a day per server.
//
// Needs DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN (Developer Portal); DISCORD_API_BASE_URL
// points it elsewhere (the fake Discord of test/fakes) — default https://discord.com/api/v10.
import { REST, Routes } from "discord.js";

type Commands = typeof import("./commands");
// Loaded by URL: Node runs this file with --experimental-strip-types, which wants the .ts name.
const { commandDefinitions } = (await import(new URL("./commands.ts", import.meta.url).href)) as Commands;

function setting(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) {
    console.error(`${name} is not set. Usage:`);
    console.error("  DISCORD_APPLICATION_ID=… DISCORD_BOT_TOKEN=… npm run discord:register [-- --guild <server id>]");
    process.exit(2);
  }
  return value;
}

const args = process.argv.slice(2);
const guildAt = args.indexOf("--guild");
const guildId = guildAt >= 0 ? args[guildAt + 1] : process.env.DISCORD_GUILD_ID;
if (guildAt >= 0 && !guildId) {
  console.error("--guild needs a server id");
  process.exit(2);
}
const applicationId = setting("DISCORD_APPLICATION_ID");
const token = setting("DISCORD_BOT_TOKEN");
// discord.js adds the version itself: https://discord.com/api + /v10.
const base = (process.env.DISCORD_API_BASE_URL ?? "https://discord.com/api/v10").replace(/\/+$/, "");
const rest = new REST({ version: "10", api: base.replace(/\/v\d+$/, "") }).setToken(token);

const commands = commandDefinitions();
const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
try {
  const registered = (await rest.put(route, { body: commands })) as { name: string }[];
  console.log(`Registered ${registered.length} commands ${guildId ? `in server ${guildId}` : "globally"}: ${registered.map((c) => `/${c.name}`).join(" ")}`);
} catch (error) {
  console.error(`Registering failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
