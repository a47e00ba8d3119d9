import { InteractionType, InteractionResponseType, ComponentType, ButtonStyle, MessageFlags } from "discord-api-types/v10";
export const c = [InteractionType.Ping, InteractionResponseType.Pong, ComponentType.Button, ButtonStyle.Primary, MessageFlags.Ephemeral];
