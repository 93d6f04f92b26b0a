/** A supertest parser that keeps the answer's body as the bytes sent (`.buffer(true).parse(asBytes)`). */
import type { Response } from 'superagent';

export function asBytes(res: Response, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}
