/**
 * Data keys from the stack's KMS key: GenerateDataKey for a new one, Decrypt to unwrap one. The fixed
 * encryption context names the table and the purpose, so a wrapped key cannot be unwrapped for anything
 * else, and CloudTrail shows what each use was for.
 *
 * Two JSON calls on the driver's own transport (../aws/json-call.ts) rather than the SDK's KMS client:
 * every cold /list that opens credentials unwraps a data key, and the client's module, endpoint rules and
 * configuration added about 30 ms to that first answer (`npm run bench:lambda`).
 */
import type { DataKeyProvider } from './envelope-cipher.ts';

/**
 * The signed-call transport (the driver's JSON calls) loads on the first KMS call: a first
 * /list or v2 Discover on the virtual cloud opens no credentials, and never loads it.
 */
const transport = () => import('../aws/json-call.ts');

const KMS = { name: 'kms', envName: 'KMS', targetPrefix: 'TrentService', label: 'KMS' };

export function kmsDataKeys(settings: { keyId: string; tableName: string; timeoutMs?: number }): DataKeyProvider {
  const context = { table: settings.tableName, purpose: 'homebase-driver upstream credentials' };
  const call = async (action: 'GenerateDataKey' | 'Decrypt', body: Record<string, unknown>) =>
    (await (
      await transport()
    ).awsJsonCall(
      KMS,
      action,
      { KeyId: settings.keyId, EncryptionContext: context, ...body },
      { timeoutMs: settings.timeoutMs ?? 3000 },
    )) as Record<string, string | undefined>;
  return {
    async generate() {
      const answer = await call('GenerateDataKey', { KeySpec: 'AES_256' });
      if (!answer['Plaintext'] || !answer['CiphertextBlob'])
        throw new (await transport()).AwsServiceError('KMSError', 'KMS answered GenerateDataKey without a key');
      return { plaintext: Buffer.from(answer['Plaintext'], 'base64'), wrapped: Buffer.from(answer['CiphertextBlob'], 'base64') };
    },
    async unwrap(wrapped) {
      const answer = await call('Decrypt', { CiphertextBlob: wrapped.toString('base64') });
      if (!answer['Plaintext']) throw new (await transport()).AwsServiceError('KMSError', 'KMS answered Decrypt without a key');
      return Buffer.from(answer['Plaintext'], 'base64');
    },
  };
}
