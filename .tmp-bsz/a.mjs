import { SlashCommandBuilder } from "@discordjs/builders";
export const c = new SlashCommandBuilder().setName("x").setDescription("y").addStringOption(o=>o.setName("q").setDescription("d").setAutocomplete(true)).toJSON();
