// Random access to a file's bytes, from R2 (range reads) or from memory (an upload being checked).

export interface ByteSource {
  readonly size: number;
  /** Exactly the bytes in [offset, offset + length), clipped at the end of the file. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** The bytes from `offset` (to `offset + length`, or the end) as a stream. */
  stream(offset: number, length?: number): Promise<ReadableStream<Uint8Array>>;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(offset + length, bytes.length)),
    stream: async (offset, length) => {
      const end = length === undefined ? bytes.length : Math.min(offset + length, bytes.length);
      const piece = 64 * 1024;
      let at = offset;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= end) {
            controller.close();
            return;
          }
          const next = Math.min(at + piece, end);
          controller.enqueue(bytes.subarray(at, next));
          at = next;
        },
      });
    },
  };
}

/** A Blob (an uploaded File) as a byte source: slices are read without copying the whole. */
export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
    stream: async (offset, length) => blob.slice(offset, length === undefined ? blob.size : offset + length).stream(),
  };
}

const emptyStream = () => new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });

/** An R2 object as a byte source, or null when it does not exist. */
export async function r2Source(bucket: R2Bucket, key: string): Promise<ByteSource | null> {
  const head = await bucket.head(key);
  if (!head) return null;
  const size = head.size;
  const get = async (offset: number, length?: number) => {
    if (offset >= size || length === 0) return null;
    const object = await bucket.get(key, { range: length === undefined ? { offset } : { offset, length } });
    if (!object) throw new Error(`R2 object ${key} disappeared while being read`);
    return object;
  };
  return {
    size,
    read: async (offset, length) => {
      const object = await get(offset, length);
      return object ? new Uint8Array(await object.arrayBuffer()) : new Uint8Array(0);
    },
    stream: async (offset, length) => {
      const object = await get(offset, length);
      return object ? object.body : emptyStream();
    },
  };
}
