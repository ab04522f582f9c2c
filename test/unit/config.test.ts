import { describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/config.ts';

const minimal = { TABLE_NAME: 't', USERCENTER_URL: 'http://127.0.0.1:1', CREDENTIALS_KEY_FILE: '/k' };

describe('configuration', () => {
  it('fills in documented defaults', () => {
    const config = readConfig(minimal);
    expect(config).toMatchObject({
      DEVICE_CLOUD: 'virtual',
      DEVICE_CLOUD_TIMEOUT_MS: 2500,
      USERCENTER_SHA_ALGORITHM: 'sha1',
      USERCENTER_TIMEOUT_MS: 3000,
      USERCENTER_USER_ID_FIELD: 'userId',
      USER_TOKEN_TTL_S: 2592000,
      REFRESH_TOKEN_TTL_S: 15552000,
    });
    expect(config.USERCENTER_BAD_CREDENTIALS_PATTERN.test('用户名或密码错误')).toBe(true);
  });

  it.each([
    [{ USERCENTER_URL: 'http://x' }, '(TABLE_NAME is required)'],
    [
      { TABLE_NAME: 't', USERCENTER_URL: 'http://x' },
      '(the environment: set CREDENTIALS_KMS_KEY_ID (deployed) or CREDENTIALS_KEY_FILE (local runs): vendor credentials are kept encrypted)',
    ],
    [{ ...minimal, USERCENTER_URL: 'ftp://x' }, 'USERCENTER_URL: expected an http(s) URL'],
    [{ ...minimal, DEVICE_CLOUD: 'zigbee' }, 'DEVICE_CLOUD: expected "virtual" | "http"'],
    [{ ...minimal, DEVICE_CLOUD: 'http' }, '(the environment: DEVICE_CLOUD=http needs DEVICE_CLOUD_URL)'],
    [{ ...minimal, USER_TOKEN_TTL_S: '1.5' }, 'USER_TOKEN_TTL_S: expected a whole number'],
    [{ ...minimal, USERCENTER_TIMEOUT_MS: '0' }, 'USERCENTER_TIMEOUT_MS: expected a positive whole number'],
    [{ ...minimal, USERCENTER_BAD_CREDENTIALS_PATTERN: '(' }, 'USERCENTER_BAD_CREDENTIALS_PATTERN: expected a regular expression'],
    [
      { TABLE_NAME: 't', CREDENTIALS_KEY_FILE: '/k' },
      '(the environment: set USERCENTER_URL or OAUTH_CLIENT_ID: the driver needs an upstream account service)',
    ],
    [{ ...minimal, OAUTH_CLIENT_ID: 'c' }, '(the environment: OAUTH_CLIENT_ID needs PUBLIC_BASE_URL, the URL the browser comes back to)'],
    [
      { ...minimal, OAUTH_CLIENT_ID: 'c', PUBLIC_BASE_URL: 'https://d.example' },
      '(the environment: OAUTH_CLIENT_ID needs OAUTH_ISSUER or OAUTH_TOKEN_ENDPOINT)',
    ],
    [{ ...minimal, REFRESH_CONCURRENCY: '0' }, 'REFRESH_CONCURRENCY: expected a positive whole number'],
  ])('refuses %j', (env, message) => {
    expect(() => readConfig(env)).toThrowError(
      expect.objectContaining({ errorName: 'E_DRIVER_ERROR', message: expect.stringContaining(message) }),
    );
  });
});
