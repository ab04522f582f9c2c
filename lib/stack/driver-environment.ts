/** What every function's environment holds: the runtime's variables and the driver's settings (functions/config.ts). */
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ConfigInput } from '../../functions/config.ts';
import { RUNTIME_ENVIRONMENT } from '../functions.ts';
import type { EventQueues } from './event-queues.ts';
import type { StackConfig } from './stack-config.ts';
import type { TokenTable } from './token-table.ts';
import type { UpstreamSecrets } from './upstream-secrets.ts';

/** What the settings are read from: the context, and the resources whose names and ARNs the functions are given. */
export interface EnvironmentSources {
  config: StackConfig;
  table: TokenTable;
  key: IKey;
  secrets: UpstreamSecrets;
  events: EventQueues;
}

/**
 * The driver's settings as the functions read them (functions/config.ts). Context keys that were not
 * set are left out, so that the driver's own defaults apply.
 */
export function driverEnvironment({ config, table, secrets, key, events }: EnvironmentSources): Record<string, string> {
  const settings: ConfigInput = {
    TABLE_NAME: table.table.tableName,
    // Vendor credentials are sealed under data keys from the stack's key.
    CREDENTIALS_KMS_KEY_ID: key.keyArn,
    DEVICE_CLOUD: config.deviceCloud,
    DEVICE_CLOUD_URL: config.deviceCloudUrl,
    REFRESH_LEAD_S: config.refreshLeadSeconds?.toString(),
    REFRESH_CONCURRENCY: config.refreshConcurrency?.toString(),
    CALLBACK_ALLOWED_ORIGINS: config.callbackAllowedOrigins,
    CALLBACK_ALLOWED_URIS: config.callbackAllowedUris,
    LOGIN_LIMIT_KEY_ARN: secrets.attemptKey.secretArn,
  };
  if (config.homebaseClientId && secrets.homebaseClientSecret) {
    Object.assign(settings, {
      HOMEBASE_CLIENT_ID: config.homebaseClientId,
      HOMEBASE_CLIENT_SECRET_ARN: secrets.homebaseClientSecret.secretArn,
      HOMEBASE_REDIRECT_URIS: config.homebaseRedirectUris,
      HOMEBASE_SCOPES: config.homebaseScopes,
    } satisfies ConfigInput);
  }
  if (config.usercenterUrl && secrets.userCenterCredentials) {
    Object.assign(settings, { USERCENTER_URL: config.usercenterUrl, USERCENTER_CREDENTIALS_ARN: secrets.userCenterCredentials.secretArn });
  }
  if (config.oauthClientId && secrets.oauthClientSecret) {
    Object.assign(settings, {
      OAUTH_CLIENT_ID: config.oauthClientId,
      OAUTH_CLIENT_SECRET_ARN: secrets.oauthClientSecret.secretArn,
      OAUTH_CLIENT_AUTH: config.oauthClientAuth,
      OAUTH_ISSUER: config.oauthIssuer,
      OAUTH_AUTHORIZATION_ENDPOINT: config.oauthAuthorizationEndpoint,
      OAUTH_TOKEN_ENDPOINT: config.oauthTokenEndpoint,
      OAUTH_USERINFO_ENDPOINT: config.oauthUserinfoEndpoint,
      OAUTH_REVOCATION_ENDPOINT: config.oauthRevocationEndpoint,
      OAUTH_SCOPE: config.oauthScope,
      OAUTH_TOKEN_METHOD: config.oauthTokenMethod,
      OAUTH_RESPONSE_PREFIX: config.oauthResponsePrefix,
      OAUTH_DEFAULT_EXPIRES_IN_S: config.oauthDefaultExpiresInSeconds?.toString(),
      OAUTH_AUTHORIZE_PARAMS: config.oauthAuthorizeParams,
      OAUTH_USER_ID_CLAIM: config.oauthUserIdClaim,
      OAUTH_CALLBACK_MODE: config.oauthCallbackMode,
      DEVICE_OAUTH: String(config.deviceOAuth) === 'true' ? 'on' : 'off',
    } satisfies ConfigInput);
  }
  if (config.rokidJwtAppId && secrets.rokidJwtAppSecret) {
    Object.assign(settings, {
      ROKID_JWT_APP_ID: config.rokidJwtAppId,
      ROKID_JWT_APP_SECRET_ARN: secrets.rokidJwtAppSecret.secretArn,
      DEVICE_CLOUD_SERVICE_TOKEN_ARN: secrets.deviceCloudServiceToken?.secretArn,
    } satisfies ConfigInput);
  }
  if (config.rokidEventsClientId && secrets.rokidEventsClientSecret && secrets.deviceEventsSecret) {
    Object.assign(settings, {
      ROKID_EVENTS_CLIENT_ID: config.rokidEventsClientId,
      ROKID_EVENTS_CLIENT_SECRET_ARN: secrets.rokidEventsClientSecret.secretArn,
      ROKID_OAUTH_TOKEN_URL: config.rokidOAuthTokenUrl,
      ROKID_EVENT_GATEWAY_URL: config.rokidEventGatewayUrl,
      ROKID_REPORT_FAILED_URL: config.rokidReportFailedUrl,
      DEVICE_EVENTS_SECRET_ARN: secrets.deviceEventsSecret.secretArn,
      DEVICE_CLOUD_SERVICE_TOKEN_ARN: secrets.deviceCloudServiceToken?.secretArn,
    } satisfies ConfigInput);
  }
  settings.EVENTS_QUEUE_URL = events.queue.queueUrl;
  settings.EVENTS_DEAD_LETTER_QUEUE_URL = events.deadLetters.queueUrl;
  settings.V2_REQUIRED_HEADER = config.v2RequiredHeader;
  const set = Object.entries(settings).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { ...RUNTIME_ENVIRONMENT, ...Object.fromEntries(set) };
}
