// Text as the offline classifier reads it: lower case, accents and umlauts folded (so "não",
// "nao" and "NÃO" are one word, "ё" is "е"), English "n't" spelled "not", and a token stream
// where links, order numbers, document references, numbers, money and a few emoji are markers
// and punctuation is a clause boundary ("|"), the span a negation reaches.

export const BOUNDARY = "|";
export const NUMBER = "#";
/** A link to a domain a business might use. */
export const URL = "__url__";
/** A shortened or messenger link (bit.ly, t.me, wa.me) or one on a throwaway TLD. */
export const BAD_URL = "__badurl__";
export const ORDER_NO = "__ordno__";
export const DOC_REF = "__ref__";
export const MONEY = "__money__";
export const BANGS = "__bangs__";
export const EMAIL = "__email__";
/** 🙄 🙃 😂 🤣: a rolled eye or a laugh, which turns praise into sarcasm. */
export const EYEROLL = "__eyeroll__";
export const MONEY_EMOJI = "__moneyemoji__";
export const KISS = "__kiss__";

const SHORTENERS = /^(?:bit\.ly|t\.me|wa\.me|tinyurl\.com|goo\.gl|cutt\.ly|rb\.gy|is\.gd|ow\.ly)\b/;
const THROWAWAY_TLDS = new Set(["xyz", "top", "biz", "info", "click", "win", "online", "site", "club", "link", "loan", "bid", "icu", "vip", "shop", "buzz", "live"]);
/** A brand in a hyphenated host that is not the brand's own: "sber-otmena.ru", "meta-support-appeal.com". */
const IMPERSONATED = /(?:^|[.-])(?:paypal|amazon|apple|meta|facebook|instagram|netflix|google|microsoft|dhl|ups|fedex|correos|correios|chrono|colissimo|ameli|gosuslugi|sber|sparkasse|santander|bbva|itau|bradesco|bank|banco)-|-(?:paypal|amazon|apple|meta|facebook|netflix|dhl|bank|banco)(?:[.-]|$)/;
const BAIT_IN_URL = /verif|login|secure|prize|promo|premi|gewinn|cadeau|crypto|cripto|krypto|bonus|casino|win|pay|zahl|rembours|vyplat|regulariz|entrega|zustell|livraison|appeal|update|support/;
const TLDS =
  "com|net|org|io|xyz|top|biz|info|co|ru|me|ly|app|site|online|club|win|click|link|shop|de|fr|es|br|pt|eu|uk|us|gd|gl|loan|bid|icu|vip|buzz|live";

/** One pass over the normalised text: the first alternative that matches wins. */
const TOKEN = new RegExp(
  [
    String.raw`(?<email>[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[a-z]{2,})`,
    String.raw`(?<url>(?:https?:\/\/|www\.)\S+|(?:[a-z0-9-]+\.)+(?:${TLDS})(?:\/\S*)?(?=$|[\s,;!?).]))`,
    String.raw`(?<ordno>(?:#|№|\bn[º°o]\.?)\s*\d{3,})`,
    String.raw`(?<ref>\b[a-z]{1,4}-\d{2,}(?:-\d+)*)`,
    String.raw`(?<money>r\$|[$€£₽]|\b(?:usd|eur|usdt|руб)\b)`,
    String.raw`(?<number>\d+(?:[.,\u00a0 ]\d{3})*(?:[.,]\d+)?k?)`,
    String.raw`(?<word>[\p{L}\p{N}]+)`,
    String.raw`(?<bangs>!{2,})`,
    String.raw`(?<stop>[.!?;:,\n()…–—\/"«»“”]+)`,
    String.raw`(?<eyeroll>[🙄🙃😂🤣])`,
    String.raw`(?<moneyemoji>[💰💸🤑💵🔥])`,
    String.raw`(?<kiss>[😘😍💋])`,
  ].join("|"),
  "gu",
);

/** Lower case, accents folded, contractions opened; the same function folds the cue lists. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’`´]/g, "'")
    .replace(/\bcan't\b/g, "can not")
    .replace(/\bwon't\b/g, "will not")
    .replace(/n't\b/g, " not")
    .replace(/ß/g, "ss")
    .replace(/œ/g, "oe")
    .replace(/æ/g, "ae")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/'/g, " ");
}

function urlToken(url: string): string {
  const bare = url.replace(/^https?:\/\//, "").replace(/^www\./, "");
  if (SHORTENERS.test(bare)) return BAD_URL;
  const host = bare.split("/")[0] ?? "";
  const tld = host.slice(host.lastIndexOf(".") + 1);
  if (THROWAWAY_TLDS.has(tld) || BAIT_IN_URL.test(host) || IMPERSONATED.test(host)) return BAD_URL;
  return URL;
}

/** The token stream of one message; it starts and ends without a boundary. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const push = (token: string) => {
    if (token === BOUNDARY && (out.length === 0 || out[out.length - 1] === BOUNDARY)) return;
    out.push(token);
  };
  for (const match of normalize(text).matchAll(TOKEN)) {
    const g = match.groups!;
    if (g.word !== undefined) push(g.word);
    else if (g.stop !== undefined) push(BOUNDARY);
    else if (g.number !== undefined) push(NUMBER);
    else if (g.url !== undefined) push(urlToken(g.url));
    else if (g.ordno !== undefined) push(ORDER_NO);
    else if (g.ref !== undefined) push(DOC_REF);
    else if (g.money !== undefined) push(MONEY);
    else if (g.email !== undefined) push(EMAIL);
    else if (g.bangs !== undefined) {
      push(BANGS);
      push(BOUNDARY);
    } else if (g.eyeroll !== undefined) push(EYEROLL);
    else if (g.moneyemoji !== undefined) push(MONEY_EMOJI);
    else if (g.kiss !== undefined) push(KISS);
  }
  if (out[out.length - 1] === BOUNDARY) out.pop();
  return out;
}
