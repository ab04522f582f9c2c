/**
 * The driver's OAuth 2.0 server (RFC 6749, 7009, 8414), built on the command function's linking parts.
 * Loaded with the OAuth flows (oauth-linking.ts), on first use: a `login` never loads it.
 */

import { AuthorizationEndpoint } from '../domain/oauth2-server/authorization-endpoint.ts';
import { serverMetadata } from '../domain/oauth2-server/metadata.ts';
import type { RegisteredClient } from '../domain/oauth2-server/registered-client.ts';
import { TokenEndpoint } from '../domain/oauth2-server/token-endpoint.ts';
import { systemClock } from '../domain/ports.ts';
import { linkRevoker } from './link-revoker.ts';
import type { LinkingParts } from './linking-parts.ts';
import { secretSetting } from './secret-setting.ts';

export interface AuthorizationServer {
  metadata: ReturnType<typeof serverMetadata>;
  /** Where the sign-in form's answer may redirect: the registered redirect URIs' origins. */
  redirectOrigins: string[];
  authorize: AuthorizationEndpoint;
  token: TokenEndpoint;
}

const built = new WeakMap<LinkingParts, AuthorizationServer | undefined>();

/** Undefined when HOMEBASE_CLIENT_ID is not set: the endpoints then say the server is not configured. */
export function authorizationServer(parts: LinkingParts): AuthorizationServer | undefined {
  if (!built.has(parts)) built.set(parts, build(parts));
  return built.get(parts);
}

function build(parts: LinkingParts): AuthorizationServer | undefined {
  const { config, links, store, states, vault, linker, passwordLogin, upstreams } = parts;
  const clientId = config.HOMEBASE_CLIENT_ID;
  const issuer = config.PUBLIC_BASE_URL;
  // The vendor's own login page when there is one (unless HOMEBASE_SIGN_IN says otherwise); the driver's page in front of a UserCenter.
  const signIn = config.HOMEBASE_SIGN_IN ?? (linker ? 'oauth' : 'usercenter');
  const upstream =
    signIn === 'oauth' && linker
      ? ({ kind: 'oauth', linker } as const)
      : signIn === 'usercenter' && passwordLogin
        ? ({ kind: 'password', login: passwordLogin } as const)
        : undefined;
  if (!clientId || !issuer || !upstream) return undefined;
  const client: RegisteredClient = {
    clientId,
    secret: secretSetting(config.HOMEBASE_CLIENT_SECRET, config.HOMEBASE_CLIENT_SECRET_ARN),
    redirectUris: config.HOMEBASE_REDIRECT_URIS,
    scopes: config.HOMEBASE_SCOPES,
  };
  return {
    metadata: serverMetadata(issuer, config.HOMEBASE_SCOPES),
    redirectOrigins: [...new Set(config.HOMEBASE_REDIRECT_URIS.map((uri) => new URL(uri).origin))],
    authorize: new AuthorizationEndpoint({ client, store, states, clock: systemClock, upstream }),
    token: new TokenEndpoint({ client, store, links, vault, revoker: linkRevoker(config, parts, upstreams), clock: systemClock }),
  };
}
