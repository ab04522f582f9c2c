/**
 * What the linking flows (linking.ts) build and the OAuth 2.0 server (authorization-server.ts) is built on.
 * A module of its own, so that linking.ts loads the server lazily and the server never imports linking.ts back.
 */
import type { DynamoAuthorizationStore } from '../adapters/dynamodb/authorization-store.ts';
import type { DynamoLinkStore } from '../adapters/dynamodb/link-store.ts';
import type { Config } from '../config.ts';
import type { PasswordLogin } from '../domain/linking/password-login.ts';
import type { PendingStates } from '../domain/linking/pending-states.ts';
import type { UpstreamLinker } from '../domain/linking/upstream-linker.ts';
import type { TokenVault } from '../domain/vault/token-vault.ts';
import type { Upstreams } from './upstreams.ts';

export interface LinkingParts {
  config: Config;
  links: DynamoLinkStore;
  store: DynamoAuthorizationStore;
  /** Pending authorizations, sealed into their states. */
  states: PendingStates;
  vault: TokenVault;
  linker: UpstreamLinker | undefined;
  passwordLogin: PasswordLogin | undefined;
  /** The upstream clients, shared so that revoking reuses the linking flows' (and their discovery). */
  upstreams: Upstreams;
}
