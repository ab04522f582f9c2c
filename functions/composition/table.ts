/** The table and what every function keeps in it: the links, and the vault that guards them. */
import { EnvelopeCipher } from '../adapters/crypto/envelope-cipher.ts';
import { fileDataKeys } from '../adapters/crypto/file-data-keys.ts';
import { kmsDataKeys } from '../adapters/crypto/kms-data-keys.ts';
import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoLinkStore } from '../adapters/dynamodb/link-store.ts';
import type { Config } from '../config.ts';
import { type CredentialCipher, systemClock } from '../domain/ports.ts';
import { DEFAULT_POLICY, type RefreshPolicy } from '../domain/refresh/schedule.ts';
import { TokenVault } from '../domain/vault/token-vault.ts';
import { securityEvents } from '../observability.ts';

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

export const tokenVault = (config: Config, links: DynamoLinkStore): TokenVault =>
  new TokenVault({
    links,
    clock: systemClock,
    settings: {
      userTokenTtlS: config.USER_TOKEN_TTL_S,
      refreshTokenTtlS: config.REFRESH_TOKEN_TTL_S,
      refresh: refreshPolicy(config),
      refreshGraceS: config.OAUTH_REFRESH_GRACE_S,
    },
    security: securityEvents,
  });
