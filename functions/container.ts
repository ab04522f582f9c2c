/**
 * The composition root: builds the domain services with their adapters from the configuration,
 * once per Lambda container (or per local process), on first use.
 */
import { HttpDeviceCloud } from './adapters/device-cloud/http-cloud.ts';
import { VirtualDeviceCloud } from './adapters/device-cloud/virtual/virtual-cloud.ts';
import { documentClient } from './adapters/dynamodb/client.ts';
import { DynamoLinkStore } from './adapters/dynamodb/link-store.ts';
import { UserCenterClient } from './adapters/usercenter/usercenter-client.ts';
import { type Config, readConfig } from './config.ts';
import { commandRouter } from './domain/commands.ts';
import { DeviceService } from './domain/devices/device-service.ts';
import { PasswordLogin, loginCommand } from './domain/linking/password-login.ts';
import { systemClock } from './domain/ports.ts';
import { TokenVault } from './domain/vault/token-vault.ts';
import { logger } from './http/logger.ts';

export interface Driver {
  vault: TokenVault;
  devices: DeviceService;
  command: ReturnType<typeof commandRouter>;
}

let instance: Driver | undefined;

/** Throws a DriverError naming the bad setting when the environment is wrong; retried on the next call. */
export function driver(): Driver {
  instance ??= build(readConfig(process.env));
  return instance;
}

function build(config: Config): Driver {
  const db = documentClient();
  const vault = new TokenVault({
    links: new DynamoLinkStore(db, config.TABLE_NAME),
    clock: systemClock,
    settings: { userTokenTtlS: config.USER_TOKEN_TTL_S, refreshTokenTtlS: config.REFRESH_TOKEN_TTL_S },
  });
  const cloud =
    config.DEVICE_CLOUD === 'http'
      ? new HttpDeviceCloud({ baseUrl: config.DEVICE_CLOUD_URL ?? '', timeoutMs: config.DEVICE_CLOUD_TIMEOUT_MS })
      : new VirtualDeviceCloud(db, config.TABLE_NAME);
  const userCenter = new UserCenterClient({
    baseUrl: config.USERCENTER_URL,
    sysId: config.USERCENTER_SYS_ID,
    clientId: config.USERCENTER_CLIENT_ID,
    shaAlgorithm: config.USERCENTER_SHA_ALGORITHM,
    timeoutMs: config.USERCENTER_TIMEOUT_MS,
    userIdField: config.USERCENTER_USER_ID_FIELD,
    badCredentialsPattern: config.USERCENTER_BAD_CREDENTIALS_PATTERN,
  });
  const login = loginCommand(new PasswordLogin({ upstream: userCenter, vault }));
  return {
    vault,
    devices: new DeviceService({ cloud, log: logger }),
    command: commandRouter({ login, Login: login }),
  };
}
