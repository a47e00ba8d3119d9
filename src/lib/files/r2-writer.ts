// Writes a file of unknown length into R2 without holding it in memory: a multipart upload whose
// parts all have the same size (R2 requires that of every part but the last, and ≥ 5 MiB), or a
// single PUT when the whole file fits in one part.

export const MIN_PART_SIZE = 5 * 1024 * 1024;

export class R2FileWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private upload: R2MultipartUpload | null = null;
  private parts: R2UploadedPart[] = [];
  private written = 0;

  constructor(
    private readonly bucket: R2Bucket,
    readonly key: string,
    private readonly options: { contentType: string; fileName?: string; partSize?: number },
  ) {}

  get bytesWritten(): number {
    return this.written;
  }

  private get partSize(): number {
    return Math.max(this.options.partSize ?? MIN_PART_SIZE, MIN_PART_SIZE);
  }

  private get httpMetadata(): R2HTTPMetadata {
    return {
      contentType: this.options.contentType,
      ...(this.options.fileName ? { contentDisposition: `attachment; filename="${this.options.fileName}"` } : {}),
    };
  }

  /** Buffer `bytes`; every full part is uploaded before this resolves. */
  async write(bytes: Uint8Array | string): Promise<void> {
    const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
    if (data.length === 0) return;
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.written += data.length;
    while (this.pendingBytes >= this.partSize) await this.uploadPart(this.take(this.partSize));
  }

  /** Upload what is left and complete the file. */
  async finish(): Promise<{ key: string; size: number }> {
    const rest = this.take(this.pendingBytes);
    if (!this.upload) {
      await this.bucket.put(this.key, rest, { httpMetadata: this.httpMetadata });
    } else {
      if (rest.length > 0) await this.uploadPart(rest);
      await this.upload.complete(this.parts);
    }
    return { key: this.key, size: this.written };
  }

  /** Give up: an unfinished multipart upload is discarded. */
  async abort(): Promise<void> {
    this.pending = [];
    this.pendingBytes = 0;
    if (this.upload) await this.upload.abort().catch(() => undefined);
  }

  private async uploadPart(part: Uint8Array): Promise<void> {
    this.upload ??= await this.bucket.createMultipartUpload(this.key, { httpMetadata: this.httpMetadata });
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, part));
  }

  /** The first `size` pending bytes as one array. */
  private take(size: number): Uint8Array {
    const out = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const head = this.pending[0]!;
      const need = size - filled;
      if (head.length <= need) {
        out.set(head, filled);
        filled += head.length;
        this.pending.shift();
      } else {
        out.set(head.subarray(0, need), filled);
        this.pending[0] = head.subarray(need);
        filled += need;
      }
    }
    this.pendingBytes -= size;
    return out;
  }
}
