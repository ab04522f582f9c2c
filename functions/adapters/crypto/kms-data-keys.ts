/**
 * Data keys from the stack's KMS key: GenerateDataKey for a new one, Decrypt to unwrap one. The fixed
 * encryption context names the table and the purpose, so a wrapped key cannot be unwrapped for anything
 * else, and CloudTrail shows what each use was for. The KMS client is imported on first use.
 */
import type { DataKeyProvider } from './envelope-cipher.ts';

export function kmsDataKeys(settings: { keyId: string; tableName: string }): DataKeyProvider {
  const context = { table: settings.tableName, purpose: 'homebase-driver upstream credentials' };
  let client: Promise<{ kms: import('@aws-sdk/client-kms').KMSClient; sdk: typeof import('@aws-sdk/client-kms') }> | undefined;
  const kms = () => {
    client ??= import('@aws-sdk/client-kms').then((sdk) => ({ kms: new sdk.KMSClient({ maxAttempts: 3 }), sdk }));
    return client;
  };
  return {
    async generate() {
      const { kms: c, sdk } = await kms();
      const answer = await c.send(
        new sdk.GenerateDataKeyCommand({ KeyId: settings.keyId, KeySpec: 'AES_256', EncryptionContext: context }),
      );
      if (!answer.Plaintext || !answer.CiphertextBlob) throw new Error('KMS answered GenerateDataKey without a key');
      return { plaintext: Buffer.from(answer.Plaintext), wrapped: Buffer.from(answer.CiphertextBlob) };
    },
    async unwrap(wrapped) {
      const { kms: c, sdk } = await kms();
      const answer = await c.send(new sdk.DecryptCommand({ KeyId: settings.keyId, CiphertextBlob: wrapped, EncryptionContext: context }));
      if (!answer.Plaintext) throw new Error('KMS answered Decrypt without a key');
      return Buffer.from(answer.Plaintext);
    },
  };
}
