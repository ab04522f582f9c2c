/**
 * A small stand-in for AWS KMS on loopback, enough for envelope encryption: GenerateDataKey and Decrypt
 * over the JSON protocol the SDK speaks, with the encryption context checked as KMS checks it. It counts
 * calls, so tests can see the data-key cache at work.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { listen } from '../local/loopback.ts';
import { signedFor } from './sigv4.ts';

export { CREDENTIALS } from './sigv4.ts';

export interface FakeKms {
  endpoint: string;
  keyId: string;
  calls: { GenerateDataKey: number; Decrypt: number };
  close(): Promise<void>;
}

/** `keyId`: the key's ARN, as a template resolves it; by default one for the tests. */
export async function startFakeKms(options: { keyId?: string } = {}): Promise<FakeKms> {
  const master = randomBytes(32);
  const keyId = options.keyId ?? 'arn:aws:kms:local:000000000000:key/homebase-test';
  const calls = { GenerateDataKey: 0, Decrypt: 0 };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString();
    const body = JSON.parse(raw || '{}');
    const action = String(req.headers['x-amz-target'] ?? '').split('.')[1];
    const reply = (status: number, json: unknown) =>
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(json));
    // The signature is checked as KMS checks it: recomputed for service kms with the known test credentials.
    if (!signedFor('kms', req, raw)) {
      return reply(400, { __type: 'InvalidSignatureException', message: 'the request signature does not match' });
    }
    const context = JSON.stringify(Object.entries(body.EncryptionContext ?? {}).sort());
    if (action === 'GenerateDataKey') {
      calls.GenerateDataKey++;
      if (body.KeyId !== keyId) return reply(400, { __type: 'NotFoundException', message: 'no such key' });
      const plaintext = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', master, iv);
      cipher.setAAD(Buffer.from(context));
      const blob = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return reply(200, { KeyId: keyId, Plaintext: plaintext.toString('base64'), CiphertextBlob: blob.toString('base64') });
    }
    if (action === 'Decrypt') {
      calls.Decrypt++;
      const blob = Buffer.from(body.CiphertextBlob, 'base64');
      try {
        const decipher = createDecipheriv('aes-256-gcm', master, blob.subarray(0, 12));
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(blob.subarray(blob.length - 16));
        const plaintext = Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]);
        return reply(200, { KeyId: keyId, Plaintext: plaintext.toString('base64') });
      } catch {
        return reply(400, { __type: 'InvalidCiphertextException', message: 'the ciphertext or its encryption context is wrong' });
      }
    }
    reply(400, { __type: 'UnsupportedOperationException', message: `${action} is not faked` });
  });
  const { url, close } = await listen(server);
  return { endpoint: url, keyId, calls, close };
}
