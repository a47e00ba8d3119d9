// Reads ZIP archives (XLSX files) by their central directory, so only the entries needed are read
// (R2 range reads), and inflates an entry as a stream. Hostile archives are refused: the declared
// sizes are checked before anything is inflated, and inflating stops the moment an entry produces
// more than it declared.
import { Inflate } from "fflate";
import type { ByteSource } from "./byte-source";

export class ZipError extends Error {
  constructor(
    message: string,
    /** `too_large` for archives that would expand beyond the limits (zip bombs). */
    readonly kind: "invalid" | "too_large" = "invalid",
  ) {
    super(message);
  }
}

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const MAX_ENTRIES = 10_000;

const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const u64 = (b: Uint8Array, at: number) => u32(b, at) + u32(b, at + 4) * 2 ** 32;

/** Does the file start like a ZIP archive? */
export const looksLikeZip = (head: Uint8Array): boolean => head.length >= 4 && u32(head, 0) === LOCAL_SIGNATURE;

/** The entries of the archive, from its central directory. */
export async function readZipDirectory(source: ByteSource): Promise<Map<string, ZipEntry>> {
  const tailLength = Math.min(source.size, 22 + 0xffff);
  const tail = await source.read(source.size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError("not a ZIP archive (no end of central directory)");
  let count = u16(tail, eocd + 10);
  let size = u32(tail, eocd + 12);
  let offset = u32(tail, eocd + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || u32(tail, locator) !== ZIP64_LOCATOR_SIGNATURE) throw new ZipError("broken ZIP64 directory");
    const record = await source.read(u64(tail, locator + 8), 56);
    if (record.length < 56 || u32(record, 0) !== ZIP64_EOCD_SIGNATURE) throw new ZipError("broken ZIP64 directory");
    count = u64(record, 32);
    size = u64(record, 40);
    offset = u64(record, 48);
  }
  if (count > MAX_ENTRIES) throw new ZipError(`the archive holds ${count} entries`, "too_large");
  if (offset + size > source.size) throw new ZipError("the ZIP directory points past the end of the file");
  const dir = await source.read(offset, size);
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > dir.length || u32(dir, at) !== CENTRAL_SIGNATURE) throw new ZipError("corrupt ZIP directory");
    const nameLength = u16(dir, at + 28);
    const extraLength = u16(dir, at + 30);
    const commentLength = u16(dir, at + 32);
    const entry: ZipEntry = {
      name: new TextDecoder().decode(dir.subarray(at + 46, at + 46 + nameLength)),
      flags: u16(dir, at + 8),
      method: u16(dir, at + 10),
      compressedSize: u32(dir, at + 20),
      uncompressedSize: u32(dir, at + 24),
      localHeaderOffset: u32(dir, at + 42),
    };
    readZip64Extra(entry, dir.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
    entries.set(entry.name, entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** ZIP64 sizes and offsets live in extra field 0x0001, in this order, when the 32-bit ones are full. */
function readZip64Extra(entry: ZipEntry, extra: Uint8Array): void {
  let at = 0;
  while (at + 4 <= extra.length) {
    const id = u16(extra, at);
    const length = u16(extra, at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      for (const key of ["uncompressedSize", "compressedSize", "localHeaderOffset"] as const) {
        if (entry[key] === 0xffffffff && field + 8 <= at + 4 + length) {
          entry[key] = u64(extra, field);
          field += 8;
        }
      }
    }
    at += 4 + length;
  }
}

export interface ExpansionLimits {
  /** Largest uncompressed size one entry may declare. */
  maxEntryBytes: number;
  /** Largest uncompressed/compressed ratio (ordinary XML deflates 5–30×; bombs go past 1000×). */
  maxRatio: number;
}

/** Refuse an entry whose declared size or compression ratio is hostile, before inflating it. */
export function checkExpansion(entry: ZipEntry, limits: ExpansionLimits): void {
  if (entry.flags & 0x1) throw new ZipError(`${entry.name} is encrypted`);
  if (entry.method !== 0 && entry.method !== 8) throw new ZipError(`${entry.name} uses an unsupported compression method`);
  if (entry.uncompressedSize > limits.maxEntryBytes) {
    throw new ZipError(
      `${entry.name} expands to ${entry.uncompressedSize} bytes (limit ${limits.maxEntryBytes})`,
      "too_large",
    );
  }
  const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
  if (entry.uncompressedSize > 1024 * 1024 && ratio > limits.maxRatio) {
    throw new ZipError(`${entry.name} expands ${Math.round(ratio)}× (a zip bomb?)`, "too_large");
  }
}

/** Input is fed to the inflater in small pieces, so one push never produces more than ~1000× this. */
const INFLATE_INPUT_PIECE = 8 * 1024;

/**
 * The uncompressed bytes of an entry, in pieces. Stops with a ZipError when the entry yields
 * more than it declared (a lying header) or more than `maxBytes`.
 */
export async function* readZipEntry(source: ByteSource, entry: ZipEntry, maxBytes: number): AsyncGenerator<Uint8Array> {
  const local = await source.read(entry.localHeaderOffset, 30);
  if (local.length < 30 || u32(local, 0) !== LOCAL_SIGNATURE) throw new ZipError(`corrupt local header for ${entry.name}`);
  const dataStart = entry.localHeaderOffset + 30 + u16(local, 26) + u16(local, 28);
  if (dataStart + entry.compressedSize > source.size) throw new ZipError(`${entry.name} runs past the end of the file`);
  const limit = Math.min(entry.uncompressedSize, maxBytes);
  const stream = await source.stream(dataStart, entry.compressedSize);
  const reader = stream.getReader();
  let produced = 0;
  const out: Uint8Array[] = [];
  const accept = (chunk: Uint8Array) => {
    produced += chunk.length;
    if (produced > limit) throw new ZipError(`${entry.name} expands beyond its declared size`, "too_large");
    if (chunk.length > 0) out.push(chunk);
  };
  const inflater = entry.method === 8 ? new Inflate((chunk) => accept(chunk)) : null;
  const push = (piece: Uint8Array, final = false) => {
    if (!inflater) return accept(piece);
    try {
      inflater.push(piece, final);
    } catch (error) {
      if (error instanceof ZipError) throw error;
      throw new ZipError(`${entry.name} could not be inflated: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let at = 0; at < value.length; at += INFLATE_INPUT_PIECE) {
        push(value.subarray(at, at + INFLATE_INPUT_PIECE));
        while (out.length > 0) yield out.shift()!;
      }
    }
    if (inflater) push(new Uint8Array(0), true);
    while (out.length > 0) yield out.shift()!;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Text of a small entry (workbook, relationships), whole. */
export async function readZipText(source: ByteSource, entry: ZipEntry, maxBytes: number): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of readZipEntry(source, entry, maxBytes)) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}
