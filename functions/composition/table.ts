/** The table and what every function keeps in it: the links (vault.ts: the vault that guards them). */
import { EnvelopeCipher } from '../adapters/crypto/envelope-cipher.ts';
import { fileDataKeys } from '../adapters/crypto/file-data-keys.ts';
import { kmsDataKeys } from '../adapters/crypto/kms-data-keys.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoLinkStore } from '../adapters/dynamodb/link-store.ts';
import type { Config } from '../config.ts';
import type { CredentialCipher } from '../domain/ports.ts';
import { DEFAULT_POLICY, type RefreshPolicy } from '../domain/refresh/schedule.ts';

export function tableOf(config: Config) {
  const db = documentClient();
  const cipher = credentialCipher(config);
  return { db, cipher, links: new DynamoLinkStore(db, config.TABLE_NAME, cipher) };
}

/** Deployed, data keys from the stack's KMS key; locally, from a key file. */
export function credentialCipher(config: Config): CredentialCipher {
  const keyId = config.CREDENTIALS_KMS_KEY_ID;
  return new EnvelopeCipher(keyId ? kmsDataKeys({ keyId, tableName: config.TABLE_NAME }) : fileDataKeys(config.CREDENTIALS_KEY_FILE ?? ''));
}

export const refreshPolicy = (config: Config): RefreshPolicy => ({
  ...DEFAULT_POLICY,
  leadS: config.REFRESH_LEAD_S,
  skewS: config.REFRESH_SKEW_S,
  maxIdleS: config.REFRESH_MAX_IDLE_S,
});
