/**
 * Collects an SDK response body, which on Node is always a node:http IncomingMessage.
 *
 * The SDK's own collector first asks whether the body is a web ReadableStream or a Blob. Reading the
 * global `ReadableStream` makes Node load its web streams, four internal modules, on the first answer of
 * every container: about 5 % of a cold /list (docs/performance.md). This one never asks.
 */
import type { Readable } from 'node:stream';

export const collectNodeStream = (body: Readable): Promise<Uint8Array> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.on('end', () => resolve(Buffer.concat(chunks)));
    body.on('error', reject);
  });
