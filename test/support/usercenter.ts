/** UserCenter client settings for the tests, matching the local UserCenter server started with sys-1 / client-1. */
import type { UserCenterSettings } from '../../functions/adapters/usercenter/usercenter-client.ts';

export const userCenterSettings = (baseUrl: string, overrides: Partial<UserCenterSettings> = {}): UserCenterSettings => ({
  baseUrl,
  credentials: async () => ({ sysId: 'sys-1', clientId: 'client-1' }),
  shaAlgorithm: 'sha1',
  timeoutMs: 1000,
  userIdField: 'userId',
  badCredentialsPattern: /password|密码|验证码/i,
  deadRefreshTokenPattern: /refresh|token|invalid|expired|无效|过期|失效/i,
  ...overrides,
});
