import { Writable } from 'node:stream';

/**
 * A stream to hand a logger instead of standard output, and what was written to it so
 * far: one entry a write (pino writes a line at a time).
 */
export function captureLog(): { readonly stream: Writable; readonly lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, lines };
}
