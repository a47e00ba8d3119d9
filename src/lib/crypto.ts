// Hashing, random tokens, constant-time comparison and AES-GCM for stored credentials.

const encoder = new TextEncoder();

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = "";
  for (const b of view) out += b.toString(16).padStart(2, "0");
  return out;
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export async function sha256Hex(data: string | ArrayBuffer | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}

/** A random secret of `byteLength` bytes, base64url, with a readable prefix. */
export function randomToken(prefix: string, byteLength = 32): string {
  return `${prefix}${toBase64Url(crypto.getRandomValues(new Uint8Array(byteLength)))}`;
}

/** Constant-time string comparison (for secrets and signatures). */
export function timingSafeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  if (left.byteLength !== right.byteLength) {
    // Still spend the comparison so the length check is the only thing the timing shows.
    crypto.subtle.timingSafeEqual(left, left);
    return false;
  }
  return crypto.subtle.timingSafeEqual(left, right);
}

async function aesKey(secretBase64: string): Promise<CryptoKey> {
  const raw = fromBase64(secretBase64);
  if (raw.byteLength !== 32) throw new Error("ENCRYPTION_KEY must be 32 bytes, base64-encoded");
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

export async function encryptJson(secretBase64: string, value: unknown): Promise<{ ciphertext: string; iv: string }> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = encoder.encode(JSON.stringify(value));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await aesKey(secretBase64), data);
  return { ciphertext: toBase64(new Uint8Array(sealed)), iv: toBase64(iv) };
}

export async function decryptJson<T>(secretBase64: string, sealed: { ciphertext: string; iv: string }): Promise<T> {
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(sealed.iv) },
    await aesKey(secretBase64),
    fromBase64(sealed.ciphertext),
  );
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}

/** HMAC of `data` under `key` (providers sign webhooks with SHA-256, Twilio with SHA-1). */
export async function hmac(hash: "SHA-256" | "SHA-1", key: string | Uint8Array, data: string | Uint8Array): Promise<Uint8Array> {
  const rawKey = typeof key === "string" ? encoder.encode(key) : key;
  const cryptoKey = await crypto.subtle.importKey("raw", rawKey, { name: "HMAC", hash }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, typeof data === "string" ? encoder.encode(data) : data));
}

/** Bytes of a hex string; null when it is not hex of an even length. */
export function fromHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * Ed25519 signature check (Discord signs interactions this way): `publicKeyHex` is the raw 32-byte
 * key in hex, `signatureHex` the 64-byte signature in hex. Anything malformed is simply `false`.
 */
export async function verifyEd25519(publicKeyHex: string, signatureHex: string, message: Uint8Array): Promise<boolean> {
  const key = fromHex(publicKeyHex);
  const signature = fromHex(signatureHex);
  if (!key || key.length !== 32 || !signature || signature.length !== 64) return false;
  try {
    const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]);
    return await crypto.subtle.verify({ name: "Ed25519" }, cryptoKey, signature, message);
  } catch {
    return false;
  }
}
