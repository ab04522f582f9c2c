/**
 * The upstream account services, each built on first use. Their modules (oauth4webapi, the Secrets
 * Manager client) are imported then too: a /list whose token is fresh never loads them.
 */
import type { OAuthClient } from '../adapters/oauth/oauth-client.ts';
import type { UserCenterClient } from '../adapters/usercenter/usercenter-client.ts';
import type { Config } from '../config.ts';
import type { TokenRefresher, UpstreamRevoker } from '../domain/ports.ts';
import type { UpstreamKind } from '../domain/vault/link.ts';
import { onceAsync } from './once.ts';
import { secretSetting } from './secret-setting.ts';

export interface Upstreams {
  /** Undefined when USERCENTER_URL is not set. */
  userCenter: (() => Promise<UserCenterClient>) | undefined;
  /** Undefined when OAUTH_CLIENT_ID is not set. */
  oauth: (() => Promise<OAuthClient>) | undefined;
}

export function upstreams(config: Config): Upstreams {
  const baseUrl = config.USERCENTER_URL;
  const clientId = config.OAUTH_CLIENT_ID;
  return {
    userCenter: baseUrl ? onceAsync(() => userCenterClient(config, baseUrl)) : undefined,
    oauth: clientId ? onceAsync(() => oauthClient(config, clientId)) : undefined,
  };
}

/**
 * The upstreams by a link's kind, as LinkRefresher and LinkRevoker pick from them: each refreshes and
 * revokes through its client, which is loaded when first asked.
 */
export function byKind(from: Upstreams): Partial<Record<UpstreamKind, TokenRefresher & UpstreamRevoker>> {
  const deferred = (client: () => Promise<TokenRefresher & UpstreamRevoker>): TokenRefresher & UpstreamRevoker => ({
    refresh: async (refreshToken, context) => (await client()).refresh(refreshToken, context),
    revoke: async (credentials) => (await client()).revoke(credentials),
  });
  return {
    ...(from.userCenter ? { usercenter: deferred(from.userCenter) } : {}),
    ...(from.oauth ? { oauth: deferred(from.oauth) } : {}),
  };
}

async function userCenterClient(config: Config, baseUrl: string): Promise<UserCenterClient> {
  const { UserCenterClient } = await import('../adapters/usercenter/usercenter-client.ts');
  const secretArn = config.USERCENTER_CREDENTIALS_ARN;
  const fromSecret = secretArn ? (await import('../adapters/secrets/secrets.ts')).secretJson(secretArn) : undefined;
  return new UserCenterClient({
    baseUrl,
    credentials: fromSecret
      ? async () => {
          const secret = await fromSecret();
          return { sysId: secret['sysId'] ?? '', clientId: secret['clientId'] ?? '' };
        }
      : async () => ({ sysId: config.USERCENTER_SYS_ID, clientId: config.USERCENTER_CLIENT_ID }),
    shaAlgorithm: config.USERCENTER_SHA_ALGORITHM,
    timeoutMs: config.USERCENTER_TIMEOUT_MS,
    userIdField: config.USERCENTER_USER_ID_FIELD,
    badCredentialsPattern: config.USERCENTER_BAD_CREDENTIALS_PATTERN,
    deadRefreshTokenPattern: config.USERCENTER_DEAD_REFRESH_TOKEN_PATTERN,
  });
}

async function oauthClient(config: Config, clientId: string): Promise<OAuthClient> {
  const { OAuthClient } = await import('../adapters/oauth/oauth-client.ts');
  return new OAuthClient({
    issuer: config.OAUTH_ISSUER,
    authorizationEndpoint: config.OAUTH_AUTHORIZATION_ENDPOINT,
    tokenEndpoint: config.OAUTH_TOKEN_ENDPOINT,
    userinfoEndpoint: config.OAUTH_USERINFO_ENDPOINT,
    revocationEndpoint: config.OAUTH_REVOCATION_ENDPOINT,
    clientId,
    clientSecret: secretSetting(config.OAUTH_CLIENT_SECRET, config.OAUTH_CLIENT_SECRET_ARN),
    clientAuth: config.OAUTH_CLIENT_AUTH,
    tokenMethod: config.OAUTH_TOKEN_METHOD,
    scope: config.OAUTH_SCOPE,
    authorizeParams: config.OAUTH_AUTHORIZE_PARAMS,
    userIdClaims: config.OAUTH_USER_ID_CLAIM,
    defaultExpiresInS: config.OAUTH_DEFAULT_EXPIRES_IN_S,
    responsePrefix: config.OAUTH_RESPONSE_PREFIX,
    deadRefreshTokenPattern: config.OAUTH_DEAD_REFRESH_TOKEN_PATTERN,
    timeoutMs: config.OAUTH_TIMEOUT_MS,
  });
}
