/**
 * Data keys from the stack's KMS key: GenerateDataKey for a new one, Decrypt to unwrap one. The fixed
 * encryption context names the table and the purpose, so a wrapped key cannot be unwrapped for anything
 * else, and CloudTrail shows what each use was for.
 *
 * Two JSON calls, signed with SigV4 by `aws4` and sent on the driver's own node:http transport, rather
 * than through the SDK's KMS client: every cold /list opens a data key, and the KMS client (its module,
 * its endpoint rules, its configuration) added about 30 ms to that first answer (`npm run bench:lambda`).
 * Credentials are Lambda's, from the environment; AWS_ENDPOINT_URL_KMS points the calls elsewhere, as
 * the SDK's clients allow.
 */
import aws4 from 'aws4';
import { requestText, TransportError } from '../http/request.ts';
import type { DataKeyProvider } from './envelope-cipher.ts';

class KmsError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export function kmsDataKeys(settings: { keyId: string; tableName: string; timeoutMs?: number }): DataKeyProvider {
  const context = { table: settings.tableName, purpose: 'homebase-driver upstream credentials' };
  const call = async (action: 'GenerateDataKey' | 'Decrypt', body: Record<string, unknown>) => {
    const env = process.env;
    const region = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
    const url = new URL(env['AWS_ENDPOINT_URL_KMS'] ?? `https://kms.${region}.amazonaws.com/`);
    const payload = JSON.stringify({ KeyId: settings.keyId, EncryptionContext: context, ...body });
    const signed = aws4.sign(
      {
        host: url.host,
        path: '/',
        method: 'POST',
        service: 'kms',
        region,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${action}` },
        body: payload,
      },
      { accessKeyId: env['AWS_ACCESS_KEY_ID'], secretAccessKey: env['AWS_SECRET_ACCESS_KEY'], sessionToken: env['AWS_SESSION_TOKEN'] },
    );
    // One retry for what a retry can mend: no answer, a 5xx, throttling.
    for (let attempt = 1; ; attempt++) {
      let answer: Awaited<ReturnType<typeof requestText>>;
      try {
        answer = await requestText(url.href, {
          method: 'POST',
          headers: signed.headers as Record<string, string>,
          body: payload,
          timeoutMs: settings.timeoutMs ?? 3000,
        });
      } catch (error) {
        if (error instanceof TransportError && attempt < 2) continue;
        throw error;
      }
      const json = JSON.parse(answer.body || '{}') as Record<string, string>;
      if (answer.status === 200) return json;
      const type =
        String(json['__type'] ?? 'KMSError')
          .split('#')
          .pop() ?? 'KMSError';
      if ((answer.status >= 500 || type === 'ThrottlingException') && attempt < 2) continue;
      throw new KmsError(type, `KMS ${action} failed: ${json['message'] ?? json['Message'] ?? `HTTP ${answer.status}`}`);
    }
  };
  return {
    async generate() {
      const answer = await call('GenerateDataKey', { KeySpec: 'AES_256' });
      if (!answer['Plaintext'] || !answer['CiphertextBlob']) throw new KmsError('KMSError', 'KMS answered GenerateDataKey without a key');
      return { plaintext: Buffer.from(answer['Plaintext'], 'base64'), wrapped: Buffer.from(answer['CiphertextBlob'], 'base64') };
    },
    async unwrap(wrapped) {
      const answer = await call('Decrypt', { CiphertextBlob: wrapped.toString('base64') });
      if (!answer['Plaintext']) throw new KmsError('KMSError', 'KMS answered Decrypt without a key');
      return Buffer.from(answer['Plaintext'], 'base64');
    },
  };
}
