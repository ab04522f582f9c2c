/**
 * The composition root: builds the domain services with their adapters from the configuration,
 * once per Lambda container (or per local process), on first use.
 */
import { HttpDeviceCloud } from './adapters/device-cloud/http-cloud.ts';
import { VirtualDeviceCloud } from './adapters/device-cloud/virtual/virtual-cloud.ts';
import { documentClient } from './adapters/dynamodb/client.ts';
import { DynamoAuthorizationStore } from './adapters/dynamodb/authorization-store.ts';
import { DynamoLinkStore } from './adapters/dynamodb/link-store.ts';
import { refreshMetrics } from './adapters/metrics/refresh-metrics.ts';
import { OAuthClient } from './adapters/oauth/oauth-client.ts';
import { secretJson, secretString } from './adapters/secrets/secrets.ts';
import { UserCenterClient } from './adapters/usercenter/usercenter-client.ts';
import { type Config, readConfig } from './config.ts';
import { commandRouter } from './domain/commands.ts';
import { DeviceService } from './domain/devices/device-service.ts';
import { OAuthLinking, oauthCommands, refreshCommands } from './domain/linking/oauth-linking.ts';
import { PasswordLogin, loginCommand } from './domain/linking/password-login.ts';
import { systemClock } from './domain/ports.ts';
import { FreshSessions } from './domain/refresh/fresh-sessions.ts';
import { LinkRefresher } from './domain/refresh/link-refresher.ts';
import { RefreshJob } from './domain/refresh/refresh-job.ts';
import { DEFAULT_POLICY, type RefreshPolicy } from './domain/refresh/schedule.ts';
import { TokenVault } from './domain/vault/token-vault.ts';
import { logger } from './http/logger.ts';

export interface Driver {
  vault: TokenVault;
  /** Authenticated, freshly refreshed device-cloud sessions for /list and /execute. */
  sessions: FreshSessions;
  devices: DeviceService;
  command: ReturnType<typeof commandRouter>;
  /** OAuth linking and seed 003's callback service; absent unless an OAuth upstream is configured. */
  linking: OAuthLinking | undefined;
  refreshJob: RefreshJob;
}

let instance: Driver | undefined;

/** Throws a DriverError naming the bad setting when the environment is wrong; retried on the next call. */
export function driver(): Driver {
  instance ??= build(readConfig(process.env));
  return instance;
}

function build(config: Config): Driver {
  const db = documentClient();
  const links = new DynamoLinkStore(db, config.TABLE_NAME);
  const policy: RefreshPolicy = {
    ...DEFAULT_POLICY,
    leadS: config.REFRESH_LEAD_S,
    skewS: config.REFRESH_SKEW_S,
    maxIdleS: config.REFRESH_MAX_IDLE_S,
  };
  const vault = new TokenVault({
    links,
    clock: systemClock,
    settings: {
      userTokenTtlS: config.USER_TOKEN_TTL_S,
      refreshTokenTtlS: config.REFRESH_TOKEN_TTL_S,
      refresh: policy,
      refreshGraceS: config.OAUTH_REFRESH_GRACE_S,
    },
  });
  const cloud =
    config.DEVICE_CLOUD === 'http'
      ? new HttpDeviceCloud({ baseUrl: config.DEVICE_CLOUD_URL ?? '', timeoutMs: config.DEVICE_CLOUD_TIMEOUT_MS })
      : new VirtualDeviceCloud(db, config.TABLE_NAME);
  const userCenter = config.USERCENTER_URL ? userCenterClient(config, config.USERCENTER_URL) : undefined;
  const oauth = config.OAUTH_CLIENT_ID
    ? new OAuthClient({
        issuer: config.OAUTH_ISSUER,
        authorizationEndpoint: config.OAUTH_AUTHORIZATION_ENDPOINT,
        tokenEndpoint: config.OAUTH_TOKEN_ENDPOINT,
        userinfoEndpoint: config.OAUTH_USERINFO_ENDPOINT,
        clientId: config.OAUTH_CLIENT_ID,
        clientSecret: config.OAUTH_CLIENT_SECRET_ARN
          ? secretString(config.OAUTH_CLIENT_SECRET_ARN)
          : async () => config.OAUTH_CLIENT_SECRET,
        clientAuth: config.OAUTH_CLIENT_AUTH,
        scope: config.OAUTH_SCOPE,
        userIdClaim: config.OAUTH_USER_ID_CLAIM,
        timeoutMs: config.OAUTH_TIMEOUT_MS,
      })
    : undefined;
  const refresher = new LinkRefresher({
    links,
    upstreams: { ...(userCenter ? { usercenter: userCenter } : {}), ...(oauth ? { oauth } : {}) },
    clock: systemClock,
    policy,
    metrics: refreshMetrics,
    log: logger,
  });
  // Password login exists only where there is a UserCenter to sign in at.
  const login = userCenter ? loginCommand(new PasswordLogin({ upstream: userCenter, vault })) : undefined;
  const linking =
    oauth && config.PUBLIC_BASE_URL
      ? new OAuthLinking({
          upstream: oauth,
          store: new DynamoAuthorizationStore(db, config.TABLE_NAME),
          vault,
          clock: systemClock,
          log: logger,
          settings: {
            publicBaseUrl: config.PUBLIC_BASE_URL,
            allowedCallbackOrigins: config.CALLBACK_ALLOWED_ORIGINS,
            mode: config.OAUTH_CALLBACK_MODE,
            deviceAppId: config.DEVICE_OAUTH === 'on' ? config.OAUTH_CLIENT_ID : undefined,
          },
        })
      : undefined;
  return {
    vault,
    sessions: new FreshSessions({ vault, links, refresher, clock: systemClock }),
    devices: new DeviceService({ cloud, log: logger }),
    linking,
    command: commandRouter({
      ...(login ? { login, Login: login } : {}),
      ...(linking ? oauthCommands(linking) : {}),
      ...refreshCommands(vault),
    }),
    refreshJob: new RefreshJob({
      links,
      refresher,
      clock: systemClock,
      log: logger,
      settings: {
        concurrency: config.REFRESH_CONCURRENCY,
        // One upstream call at its timeout, plus the write-back.
        reserveMs: Math.max(config.USERCENTER_TIMEOUT_MS, config.OAUTH_TIMEOUT_MS) + 2000,
      },
    }),
  };
}

function userCenterClient(config: Config, baseUrl: string): UserCenterClient {
  const secretArn = config.USERCENTER_CREDENTIALS_ARN;
  const fromSecret = secretArn ? secretJson(secretArn) : undefined;
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
