/**
 * The vault that guards the links, for the functions that open them. Apart from table.ts, which the stateReports
 * consumer loads too: the vault shares its refreshed credentials and due times with the grant refresher, which the
 * consumer loads on demand, and esbuild follows a module's imports even where its code is unused, so a vault the
 * handler merely reached would cut them into one more chunk loaded at import (docs/performance.md).
 */
import type { DynamoLinkStore } from '../adapters/dynamodb/link-store.ts';
import type { Config } from '../config.ts';
import { systemClock } from '../domain/ports.ts';
import { TokenVault } from '../domain/vault/token-vault.ts';
import { securityEvents } from '../observability.ts';
import { refreshPolicy } from './table.ts';

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
