// Files contacts send in a DM: Discord serves them from its CDN by the URL in the message (signed,
// valid for a while). Only Discord's own hosts are fetched — and, for tests and local runs, the
// host of DISCORD_API_BASE_URL — never a URL pointing anywhere else.
import { PermanentJobError } from "../../jobs/errors";
import type { MediaRef, ProviderContext } from "../channel-adapter";
import { downloadFile } from "../media";

const CDN_HOSTS = new Set(["cdn.discordapp.com", "media.discordapp.net"]);

export async function downloadDiscordMedia({ env }: ProviderContext, media: MediaRef) {
  let url: URL;
  try {
    url = new URL(media.ref);
  } catch {
    throw new PermanentJobError(`${media.fileName}: not a URL`, "discord_file_unavailable");
  }
  const apiOrigin = new URL(env.DISCORD_API_BASE_URL).origin;
  if (!((url.protocol === "https:" && CDN_HOSTS.has(url.hostname)) || url.origin === apiOrigin)) {
    throw new PermanentJobError(`${media.fileName}: ${url.hostname} is not Discord's CDN`, "discord_file_unavailable");
  }
  return downloadFile(url.toString(), {}, "Discord");
}
