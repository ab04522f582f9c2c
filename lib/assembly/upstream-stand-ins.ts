/**
 * The upstreams a deployed driver talks to, stood in for on loopback as the assembly's functions name
 * them: the UserCenter stand-in (demo account) where a function has USERCENTER_URL, oidc-provider
 * (demo account) where it has OAUTH_CLIENT_ID, and Rokid's token endpoint and EventGateway where it has
 * ROKID_EVENTS_CLIENT_ID (state reports), and the vendor's device cloud where it has DEVICE_CLOUD=http
 * (device-cloud-stand-in.ts), so that nothing reaches the real one. Their credentials go into the stack's
 * secrets, and the upstream URLs into the functions' environment: the stack requires https, the stand-ins
 * are http. The secrets Rokid and the device cloud sign with are chosen here, for the caller to sign with.
 */
import { randomBytes } from 'node:crypto';
import { type OAuthServer, startOAuthServer } from '../local/oauth-server.ts';
import { driverClient } from '../local/oauth-upstream.ts';
import { DEMO_ACCOUNT, startUserCenter, type UserCenterServer } from '../local/usercenter-server.ts';
import { type RokidStandIn, startRokidStandIn } from '../stand-ins/rokid-events.ts';
import { type DeviceCloudStandIn, startDeviceCloudStandIn } from './device-cloud-stand-in.ts';
import type { LocalCloudOptions } from './local-cloud.ts';
import { type CloudAssembly, referencedId, resourcesOfType } from './template.ts';

/** The secrets another party signs with, which the caller needs to sign as they would. */
export type SigningSecret = 'ROKID_JWT_APP_SECRET_ARN' | 'DEVICE_EVENTS_SECRET_ARN';

/** Vendor-shape settings that describe the real upstream, removed where oidc-provider stands in for it. */
const VENDOR_OAUTH_SETTINGS = [
  'OAUTH_AUTHORIZATION_ENDPOINT',
  'OAUTH_TOKEN_ENDPOINT',
  'OAUTH_USERINFO_ENDPOINT',
  'OAUTH_REVOCATION_ENDPOINT',
  'OAUTH_TOKEN_METHOD',
  'OAUTH_RESPONSE_PREFIX',
  'OAUTH_USER_ID_CLAIM',
  'OAUTH_AUTHORIZE_PARAMS',
  'OAUTH_CLIENT_AUTH',
];

export interface UpstreamStandIns {
  userCenter: UserCenterServer | undefined;
  /** Started with the cloud, once its URL (the redirect URIs) is known. */
  oidc(): OAuthServer | undefined;
  /** Rokid's side of state reports, where they are on; its client secret goes into the stack's secret. */
  rokid: RokidStandIn | undefined;
  /** The vendor's device cloud, where the assembly has DEVICE_CLOUD=http; the URL the template names is `replacedUrl`. */
  deviceCloud: (DeviceCloudStandIn & { replacedUrl: string }) | undefined;
  /** The value the stand-in Secrets Manager holds for the secret a setting names, where the assembly has it. */
  secret(setting: SigningSecret): string | undefined;
  /** What startLocalCloud needs: the secrets' values and the environment's upstream URLs. */
  cloudOptions: Pick<LocalCloudOptions, 'secretValues' | 'overrides'>;
  close(): Promise<void>;
}

export async function startUpstreamStandIns(
  assembly: CloudAssembly,
  given: { secretValues?: Record<string, string> } = {},
): Promise<UpstreamStandIns> {
  const environment: Record<string, unknown> = Object.assign(
    {},
    ...resourcesOfType(assembly, 'AWS::Lambda::Function').map(([, fn]) => fn.Properties?.['Environment']?.Variables ?? {}),
  );
  const secretValues: Record<string, string> = { ...given.secretValues };
  let userCenter: UserCenterServer | undefined;
  if (environment['USERCENTER_URL']) {
    const client = { sysId: 'homebase', clientId: 'homebase-driver' };
    userCenter = await startUserCenter({ accounts: [DEMO_ACCOUNT], ...client });
    const id = referencedId(environment['USERCENTER_CREDENTIALS_ARN']);
    if (id) secretValues[id] ??= JSON.stringify(client);
  }
  const oauthClientId = typeof environment['OAUTH_CLIENT_ID'] === 'string' ? environment['OAUTH_CLIENT_ID'] : undefined;
  const oauthSecretId = referencedId(environment['OAUTH_CLIENT_SECRET_ARN']);
  const oauthSecret = (oauthSecretId && secretValues[oauthSecretId]) || randomBytes(24).toString('base64url');
  if (oauthSecretId) secretValues[oauthSecretId] = oauthSecret;
  let rokid: RokidStandIn | undefined;
  if (typeof environment['ROKID_EVENTS_CLIENT_ID'] === 'string') {
    const id = referencedId(environment['ROKID_EVENTS_CLIENT_SECRET_ARN']);
    rokid = await startRokidStandIn({
      clientId: environment['ROKID_EVENTS_CLIENT_ID'],
      ...(id && secretValues[id] ? { clientSecret: secretValues[id] } : {}),
      // Short-lived, so that the refresh job has event tokens to refresh.
      accessTtlS: 300,
    });
    if (id) secretValues[id] = rokid.clientSecret;
  }
  const secretIdOf = (setting: string) => referencedId(environment[setting]);
  for (const setting of ['ROKID_JWT_APP_SECRET_ARN', 'DEVICE_EVENTS_SECRET_ARN', 'DEVICE_CLOUD_SERVICE_TOKEN_ARN']) {
    const id = secretIdOf(setting);
    if (id) secretValues[id] ??= randomBytes(36).toString('base64url');
  }
  let oidc: OAuthServer | undefined;
  let deviceCloud: UpstreamStandIns['deviceCloud'];
  if (environment['DEVICE_CLOUD'] === 'http') {
    const serviceTokenId = secretIdOf('DEVICE_CLOUD_SERVICE_TOKEN_ARN');
    const standIn = await startDeviceCloudStandIn({
      accountService: userCenter ? { userCenterUrl: userCenter.url } : oauthClientId ? { oidcIssuer: () => oidc?.issuer } : undefined,
      serviceToken: serviceTokenId ? secretValues[serviceTokenId] : undefined,
    });
    deviceCloud = { ...standIn, replacedUrl: String(environment['DEVICE_CLOUD_URL']) };
  }
  return {
    userCenter,
    rokid,
    deviceCloud,
    secret: (setting) => {
      const id = secretIdOf(setting);
      return id ? secretValues[id] : undefined;
    },
    oidc: () => oidc,
    cloudOptions: {
      secretValues,
      async overrides(apiUrl) {
        const overrides: Record<string, string | undefined> = {};
        if (userCenter) overrides['USERCENTER_URL'] = userCenter.url;
        if (deviceCloud) overrides['DEVICE_CLOUD_URL'] = deviceCloud.server.url;
        if (rokid) {
          Object.assign(overrides, {
            ROKID_OAUTH_TOKEN_URL: rokid.tokenUrl,
            ROKID_EVENT_GATEWAY_URL: rokid.gatewayUrl,
            ROKID_REPORT_FAILED_URL: rokid.reportFailedUrl,
          });
        }
        if (oauthClientId) {
          oidc = await startOAuthServer({ clients: [driverClient(oauthClientId, oauthSecret, apiUrl)] });
          Object.assign(overrides, { OAUTH_ISSUER: oidc.issuer, OAUTH_SCOPE: 'openid' });
          for (const key of VENDOR_OAUTH_SETTINGS) overrides[key] = undefined;
        }
        return overrides;
      },
    },
    async close() {
      await oidc?.close();
      await userCenter?.close();
      await rokid?.close();
      await deviceCloud?.server.close();
    },
  };
}
