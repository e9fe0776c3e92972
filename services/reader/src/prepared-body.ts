import { gzipSync } from 'node:zlib';

/** Bodies above this size are sent gzipped to clients that accept it. */
export const GZIP_THRESHOLD_BYTES = 16 * 1024;

/**
 * A response body serialised once: the JSON text and, made on first demand and kept, its
 * gzip encoding. The reader's answer cache holds these, so a repeated request costs
 * neither serialisation nor compression.
 */
export class PreparedBody {
  private gzipped: Buffer | undefined;

  constructor(readonly json: string) {}

  get size(): number {
    return this.json.length + (this.gzipped?.length ?? 0);
  }

  gzip(): Buffer {
    this.gzipped ??= gzipSync(this.json, { level: 4 });
    return this.gzipped;
  }
}
