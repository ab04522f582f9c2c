/**
 * The OAuth upstream `npm start` runs when none is named: oidc-provider (a standard OpenID Connect
 * server), or with `LOCAL_UPSTREAM_STYLE=xiaomi` a server in the shape of Xiaomi's account OAuth, with a
 * device cloud that takes only MAC-signed requests. Either way, the settings that point the driver at it.
 */
import { randomBytes } from 'node:crypto';
import type { ClientMetadata } from 'oidc-provider';
import type { ConfigInput } from '../../functions/config.ts';
import { type DeviceCloudServer, eitherOf, macCredentials, serviceToken, startDeviceCloud } from './device-cloud-server.ts';
import { type OAuthServer, startOAuthServer } from './oauth-server.ts';
import { startXiaomiServer, XIAOMI_PREFIX, type XiaomiServer } from './xiaomi-server.ts';

/**
 * The driver registered as a client, as a vendor registers it: both of its callback URLs (the
 * `OAuth` command's and the device-OAuth pages'), the code and refresh grants, and basic auth.
 */
export function driverClient(clientId: string, clientSecret: string, driverUrl: string): ClientMetadata {
  return {
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [`${driverUrl}/oauth/callback`, `${driverUrl}/device_oauth/${clientId}/callback`],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

export type UpstreamStyle = 'oidc' | 'xiaomi';

export interface LocalOAuthUpstream {
  settings: ConfigInput;
  /** Where a person signs in. */
  issuer: string;
  oauthServer?: OAuthServer;
  xiaomiServer?: XiaomiServer;
  deviceCloud?: DeviceCloudServer;
  stops: Array<() => Promise<void>>;
}

export async function startLocalOAuthUpstream(style: UpstreamStyle, publicBaseUrl: string): Promise<LocalOAuthUpstream> {
  const clientSecret = randomBytes(24).toString('base64url');
  if (style === 'xiaomi') {
    // Xiaomi's client ids are numbers.
    const clientId = '2882303761517000001';
    const xiaomiServer = await startXiaomiServer({
      clients: [
        { clientId, clientSecret, redirectUris: [`${publicBaseUrl}/oauth/callback`, `${publicBaseUrl}/device_oauth/${clientId}/callback`] },
      ],
    });
    // v2 JWT users have no Xiaomi token: the driver calls for them with a service token of this run.
    const serviceSecret = randomBytes(24).toString('base64url');
    const deviceCloud = await startDeviceCloud({
      authenticate: eitherOf(macCredentials(xiaomiServer.tokenInfo), serviceToken(serviceSecret)),
    });
    return {
      issuer: xiaomiServer.url,
      xiaomiServer,
      deviceCloud,
      stops: [deviceCloud.close, xiaomiServer.close],
      settings: {
        OAUTH_AUTHORIZATION_ENDPOINT: xiaomiServer.authorizeUrl,
        OAUTH_TOKEN_ENDPOINT: xiaomiServer.tokenUrl,
        OAUTH_CLIENT_ID: clientId,
        OAUTH_CLIENT_SECRET: clientSecret,
        OAUTH_CLIENT_AUTH: 'client_secret_post',
        OAUTH_TOKEN_METHOD: 'GET',
        OAUTH_RESPONSE_PREFIX: XIAOMI_PREFIX,
        OAUTH_USER_ID_CLAIM: 'openId,open_id',
        OAUTH_AUTHORIZE_PARAMS: 'skip_confirm=true',
        OAUTH_SCOPE: '1 3',
        DEVICE_CLOUD: 'http',
        DEVICE_CLOUD_URL: deviceCloud.url,
        DEVICE_CLOUD_SERVICE_TOKEN: serviceSecret,
      },
    };
  }
  const clientId = 'homebase-driver-local';
  const oauthServer = await startOAuthServer({ clients: [driverClient(clientId, clientSecret, publicBaseUrl)] });
  return {
    issuer: oauthServer.issuer,
    oauthServer,
    stops: [oauthServer.close],
    settings: { OAUTH_ISSUER: oauthServer.issuer, OAUTH_CLIENT_ID: clientId, OAUTH_CLIENT_SECRET: clientSecret, OAUTH_SCOPE: 'openid' },
  };
}
