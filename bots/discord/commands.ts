// The slash commands, declared once with discord.js's builders: the Worker registers them when
// an owner connects the application (POST /v1/channels) and reads their names when interactions
// arrive; `npm run discord:register` registers the same list from the command line.
//
// Only @discordjs/builders (and discord-api-types) come in here — pure data builders that run in
// workerd. discord.js itself (gateway, REST with its Node HTTP stack) is for the Node scripts.
import { SlashCommandBuilder, type SlashCommandSubcommandBuilder, type SlashCommandBuilder as Builder } from "@discordjs/builders";
import type { RESTPutAPIApplicationCommandsJSONBody } from "discord-api-types/v10";

/** Where the commands may be used (InteractionContextType): servers, and DMs with the bot. */
const GUILD = 0;
const BOT_DM = 1;
/** How the app is installed (ApplicationIntegrationType): to a server. */
const GUILD_INSTALL = 0;

export const STATS_PERIOD_CHOICES = [
  { name: "today", value: "today" },
  { name: "last 7 days", value: "7d" },
  { name: "last 30 days", value: "30d" },
] as const;

export const PIN_SLOT_COUNT = 5;

type Options = Pick<Builder, "addStringOption" | "addBooleanOption"> | SlashCommandSubcommandBuilder;

/** Contacts, deals and numbers answer only to the person asking, unless they share. */
function withShare<T extends Options>(command: T): T {
  command.addBooleanOption((o) => o.setName("share").setDescription("Post the answer for everyone in the channel (default: only you see it)"));
  return command;
}

function base(name: string, description: string) {
  return new SlashCommandBuilder().setName(name).setDescription(description).setContexts(GUILD, BOT_DM).setIntegrationTypes(GUILD_INSTALL);
}

function build() {
  return [
    base("link", "Link your Discord account to your Parley user").addStringOption((o) =>
      o.setName("code").setDescription("The code from POST /v1/me/discord-link").setRequired(true).setMinLength(8).setMaxLength(64),
    ),
    base("setup", "Allow this server to use the workspace's Parley bot (owners)").setContexts(GUILD),
    base("contact", "Contacts")
      .addSubcommand((s) =>
        s
          .setName("find")
          .setDescription("Find contacts by name, company, phone or e-mail")
          .addStringOption((o) => o.setName("query").setDescription("What to look for").setRequired(true).setMaxLength(100)),
      )
      .addSubcommand((s) =>
        withShare(
          s
            .setName("show")
            .setDescription("A contact's card, with buttons to score, qualify and open deals")
            .addStringOption((o) => o.setName("contact").setDescription("Start typing a name").setRequired(true).setAutocomplete(true)),
        ),
      ),
    base("deal", "Deals")
      .addSubcommand((s) =>
        withShare(
          s
            .setName("create")
            .setDescription("Open a deal for a contact")
            .addStringOption((o) => o.setName("contact").setDescription("Start typing a name").setRequired(true).setAutocomplete(true))
            .addStringOption((o) => o.setName("title").setDescription("What the deal is about").setMaxLength(200))
            .addNumberOption((o) => o.setName("amount").setDescription("Its value, in the workspace's currency").setMinValue(0)),
        ),
      )
      .addSubcommand((s) =>
        withShare(
          s
            .setName("stage")
            .setDescription("Move a deal to another stage")
            .addStringOption((o) => o.setName("deal").setDescription("Start typing a title or contact").setRequired(true).setAutocomplete(true))
            .addStringOption((o) => o.setName("stage").setDescription("A stage of the deal's pipeline").setRequired(true).setAutocomplete(true)),
        ),
      )
      .addSubcommand((s) =>
        withShare(
          s
            .setName("won")
            .setDescription("Mark a deal won")
            .addStringOption((o) => o.setName("deal").setDescription("Start typing a title or contact").setRequired(true).setAutocomplete(true)),
        ),
      )
      .addSubcommand((s) =>
        withShare(
          s
            .setName("lost")
            .setDescription("Mark a deal lost")
            .addStringOption((o) => o.setName("deal").setDescription("Start typing a title or contact").setRequired(true).setAutocomplete(true))
            .addStringOption((o) => o.setName("reason").setDescription("Why it was lost").setMaxLength(500)),
        ),
      ),
    withShare(
      base("pipeline", "A pipeline's board: open deals and amounts per stage").addStringOption((o) =>
        o.setName("pipeline").setDescription("Which pipeline (default: the first)").setAutocomplete(true),
      ),
    ),
    base("inbox", "Your unread conversations"),
    base("pin", "Pin a contact to one of your slots")
      .addIntegerOption((o) => o.setName("slot").setDescription(`Slot 1–${PIN_SLOT_COUNT}`).setRequired(true).setMinValue(1).setMaxValue(PIN_SLOT_COUNT))
      .addStringOption((o) => o.setName("contact").setDescription("Start typing a name").setRequired(true).setAutocomplete(true)),
    withShare(
      base("stats", "Messages, conversations and deals: yours, or (owners) a member's")
        .addStringOption((o) =>
          o
            .setName("period")
            .setDescription("Which days (default: today)")
            .addChoices(...STATS_PERIOD_CHOICES),
        )
        .addStringOption((o) => o.setName("member").setDescription("Owners: whose numbers").setAutocomplete(true)),
    ),
  ];
}

let built: RESTPutAPIApplicationCommandsJSONBody | null = null;

/** The commands as Discord's bulk overwrite (PUT /applications/{id}/commands) takes them. */
export function commandDefinitions(): RESTPutAPIApplicationCommandsJSONBody {
  built ??= build().map((command) => command.toJSON());
  return built;
}
