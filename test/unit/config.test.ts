import { describe, expect, it } from 'vitest';
import { LOCAL_REMEDY, readConfig } from '../../functions/config.ts';

const minimal = { TABLE_NAME: 't', USERCENTER_URL: 'http://127.0.0.1:1', CREDENTIALS_KEY_FILE: '/k' };

describe('configuration', () => {
  it('says who must fix a bad setting: the operators, deployed; the person at npm start, locally', () => {
    const bad = { ...minimal, DEVICE_CLOUD: 'zigbee' };
    expect(() => readConfig(bad)).toThrow(/\. Its operators must fix the deployment\.$/);
    expect(() => readConfig(bad, LOCAL_REMEDY)).toThrow(
      /\. Fix the setting and run npm start again; docs\/configuration\.md lists every key\.$/,
    );
  });

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

  it('reads the console header as a lower-case name and its value', () => {
    expect(readConfig({ ...minimal, V2_REQUIRED_HEADER: 'X-Skill-Key:  k 1 ' }).V2_REQUIRED_HEADER).toEqual({
      name: 'x-skill-key',
      value: 'k 1',
    });
  });

  it("reads the OAuth 2.0 server's client: Rokid's redirect URI by default, scopes by spaces or commas", () => {
    const config = readConfig(minimal);
    expect(config.HOMEBASE_REDIRECT_URIS).toEqual(['https://homebase.rokid.com/oauth/callback']);
    expect(config.HOMEBASE_SCOPES).toBeUndefined();
    expect(readConfig({ ...minimal, HOMEBASE_SCOPES: 'devices, profile  home' }).HOMEBASE_SCOPES).toEqual(['devices', 'profile', 'home']);
  });

  it.each([
    [{ USERCENTER_URL: 'http://x' }, '(TABLE_NAME is required)'],
    [
      { TABLE_NAME: 't', USERCENTER_URL: 'http://x' },
      '(the environment: set CREDENTIALS_KMS_KEY_ID (deployed) or CREDENTIALS_KEY_FILE (local runs): vendor credentials are kept encrypted)',
    ],
    [{ ...minimal, USERCENTER_URL: 'ftp://x' }, 'USERCENTER_URL: expected an http(s) URL'],
    [{ ...minimal, OAUTH_ISSUER: 'not-a-url' }, 'OAUTH_ISSUER: expected an http(s) URL, such as https://login.vendor.example'],
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
    [{ ...minimal, ROKID_JWT_APP_ID: 'app' }, '(the environment: ROKID_JWT_APP_ID needs ROKID_JWT_APP_SECRET or ROKID_JWT_APP_SECRET_ARN)'],
    [
      { ...minimal, ROKID_JWT_APP_ID: 'app', ROKID_JWT_APP_SECRET: 's', DEVICE_CLOUD: 'http', DEVICE_CLOUD_URL: 'https://c.example' },
      '(the environment: ROKID_JWT_APP_ID with DEVICE_CLOUD=http needs DEVICE_CLOUD_SERVICE_TOKEN or DEVICE_CLOUD_SERVICE_TOKEN_ARN: a JWT user has no upstream token to call the device cloud with)',
    ],
    [
      { ...minimal, ROKID_EVENTS_CLIENT_ID: 'e' },
      '(the environment: ROKID_EVENTS_CLIENT_ID needs ROKID_EVENTS_CLIENT_SECRET or ROKID_EVENTS_CLIENT_SECRET_ARN)',
    ],
    [
      { ...minimal, ROKID_EVENTS_CLIENT_ID: 'e', ROKID_EVENTS_CLIENT_SECRET: 's' },
      '(the environment: ROKID_EVENTS_CLIENT_ID needs DEVICE_EVENTS_SECRET or DEVICE_EVENTS_SECRET_ARN: the device cloud signs the changes it reports with it)',
    ],
    [
      {
        ...minimal,
        ROKID_EVENTS_CLIENT_ID: 'e',
        ROKID_EVENTS_CLIENT_SECRET: 's',
        DEVICE_EVENTS_SECRET: 'k',
        DEVICE_CLOUD: 'http',
        DEVICE_CLOUD_URL: 'https://c.example',
      },
      '(the environment: ROKID_EVENTS_CLIENT_ID with DEVICE_CLOUD=http needs DEVICE_CLOUD_SERVICE_TOKEN or DEVICE_CLOUD_SERVICE_TOKEN_ARN: a state report reads the device with no user request to hand)',
    ],
    [
      { ...minimal, ROKID_EVENT_GATEWAY_URL: 'homebase-openapi.rokid.com' },
      'ROKID_EVENT_GATEWAY_URL: expected an http(s) URL, such as https://login.vendor.example',
    ],
    [{ ...minimal, ROKID_EVENTS_TIMEOUT_MS: '0' }, 'ROKID_EVENTS_TIMEOUT_MS: expected a positive whole number'],
    [
      { ...minimal, V2_REQUIRED_HEADER: 'X-Skill-Key' },
      'V2_REQUIRED_HEADER: expected "Name: value", such as "X-Rokid-Skill: a-shared-secret"',
    ],
    [
      { ...minimal, V2_REQUIRED_HEADER: 'X Skill: k' },
      'V2_REQUIRED_HEADER: expected "Name: value", such as "X-Rokid-Skill: a-shared-secret"',
    ],
    [
      { ...minimal, HOMEBASE_CLIENT_ID: 'h' },
      '(the environment: HOMEBASE_CLIENT_ID needs PUBLIC_BASE_URL, the issuer of the OAuth 2.0 server)',
    ],
    [
      { ...minimal, HOMEBASE_CLIENT_ID: 'h', PUBLIC_BASE_URL: 'https://d.example' },
      '(the environment: HOMEBASE_CLIENT_ID needs HOMEBASE_CLIENT_SECRET or HOMEBASE_CLIENT_SECRET_ARN)',
    ],
    [{ ...minimal, HOMEBASE_SIGN_IN: 'oauth' }, '(the environment: HOMEBASE_SIGN_IN=oauth needs an OAuth upstream (OAUTH_CLIENT_ID))'],
    [
      {
        TABLE_NAME: 't',
        CREDENTIALS_KEY_FILE: '/k',
        OAUTH_CLIENT_ID: 'c',
        OAUTH_ISSUER: 'https://i.example',
        PUBLIC_BASE_URL: 'https://d.example',
        HOMEBASE_SIGN_IN: 'usercenter',
      },
      '(the environment: HOMEBASE_SIGN_IN=usercenter needs USERCENTER_URL)',
    ],
    [
      { ...minimal, HOMEBASE_REDIRECT_URIS: 'https://ok.example/cb,not a url' },
      'HOMEBASE_REDIRECT_URIS: expected absolute URLs, separated by commas',
    ],
    [{ ...minimal, HOMEBASE_SIGN_IN: 'sms' }, 'HOMEBASE_SIGN_IN: expected "oauth" | "usercenter"'],
  ])('refuses %j', (env, message) => {
    expect(() => readConfig(env)).toThrowError(
      expect.objectContaining({ errorName: 'E_DRIVER_ERROR', message: expect.stringContaining(message) }),
    );
  });
});
