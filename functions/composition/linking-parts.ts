/**
 * What the linking flows are built on. linking.ts builds the base at import, for `login` and the refresh commands;
 * oauth-linking.ts builds the OAuth flows over it on first use, and with them the parts the OAuth 2.0 server
 * (authorization-server.ts) is built on. A module of its own, so that none of them imports another back.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoAuthorizationStore } from '../adapters/dynamodb/authorization-store.ts';
import type { DynamoLinkStore } from '../adapters/dynamodb/link-store.ts';
import type { Config } from '../config.ts';
import type { AttemptLimits } from '../domain/limits/attempt-limits.ts';
import type { PasswordLogin } from '../domain/linking/password-login.ts';
import type { PendingStates } from '../domain/linking/pending-states.ts';
import type { UpstreamLinker } from '../domain/linking/upstream-linker.ts';
import type { CredentialCipher } from '../domain/ports.ts';
import type { TokenVault } from '../domain/vault/token-vault.ts';
import type { Upstreams } from './upstreams.ts';

export interface LinkingBase {
  config: Config;
  db: DynamoDBDocumentClient;
  cipher: CredentialCipher;
  links: DynamoLinkStore;
  vault: TokenVault;
  /** Attempt limits: password sign-ins and seed 003's token queries count against them. */
  limits: AttemptLimits;
  passwordLogin: PasswordLogin | undefined;
  /** The upstream clients, shared so that revoking reuses the linking flows' (and their discovery). */
  upstreams: Upstreams;
}

/**
 * Whether the driver offers Homebase OAuth linking (the `OAuth` and `OAuthGetToken` commands, GET /oauth/start): an
 * OAuth upstream and PUBLIC_BASE_URL. linking.ts offers the commands by it without loading the flow; oauth-linking.ts
 * builds the flow where it builds the upstream linker, which needs the same two.
 */
export const offersHomebaseOAuth = (base: LinkingBase): boolean => Boolean(base.upstreams.oauth && base.config.PUBLIC_BASE_URL);

export interface LinkingParts extends LinkingBase {
  store: DynamoAuthorizationStore;
  /** Pending authorizations, sealed into their states. */
  states: PendingStates;
  linker: UpstreamLinker | undefined;
}
