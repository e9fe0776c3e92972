import { gzipSync } from 'node:zlib';

/** Bodies above this size are sent gzipped to clients that accept it. */
export const GZIP_THRESHOLD_BYTES = 16 * 1024;

/** A copy of `bytes` in memory of its own, so that it holds exactly its length. */
function ownCopy(bytes: Uint8Array): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  copy.set(bytes);
  return copy;
}

/**
 * A response body serialised once: the JSON as UTF-8 and, made on first demand and kept,
 * its gzip encoding. The reader's answer cache holds these, so a repeated request costs
 * neither serialisation nor compression. Each copy sits in memory of its own (not a slice
 * of a pooled or larger buffer), so `size` is exactly the bytes it holds.
 */
export class PreparedBody {
  readonly bytes: Buffer;
  private gzipped: Buffer | undefined;
  /** Told the size of the gzip copy when it is made (the answer cache counts it). */
  onGzip: ((bytes: number) => void) | undefined;

  constructor(json: string) {
    const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
    bytes.write(json);
    this.bytes = bytes;
  }

  /** The JSON text, decoded again (for callers that read the answer, not send it). */
  get json(): string {
    return this.bytes.toString('utf8');
  }

  /** Bytes held: the JSON and, once made, its gzip copy. */
  get size(): number {
    return this.bytes.length + (this.gzipped?.length ?? 0);
  }

  gzip(): Buffer {
    if (this.gzipped === undefined) {
      // zlib's output can be a slice of a larger buffer: kept as a copy of its own
      this.gzipped = ownCopy(gzipSync(this.bytes, { level: 4 }));
      this.onGzip?.(this.gzipped.length);
    }
    return this.gzipped;
  }
}
