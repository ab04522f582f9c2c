/**
 * The driver's settings and their defaults: the one place either is written. Deployed functions read
 * them from the environment once per container; `npm start` builds the same object from its own
 * options. docs/configuration.md lists every key.
 */
import * as v from 'valibot';
import {
  commaList,
  httpUrl,
  optionalWholeNumber,
  pattern,
  queryParams,
  requiredHeader,
  scopeList,
  text,
  urlList,
  wholeNumber,
} from './config-fields.ts';
import { DriverError } from './domain/errors.ts';
import { describeIssue } from './domain/protocol/validation.ts';
import { DEFAULT_POLICY } from './domain/refresh/schedule.ts';

/** The redirect_uri Rokid sends to a vendor's authorization endpoint (digest §5d): the default registration. */
export const HOMEBASE_REDIRECT_URI = 'https://homebase.rokid.com/oauth/callback';

/** Where Homebase's OAuth callback pages live: the default allow-list for callbackURL. */
export const HOMEBASE_CALLBACK_ORIGINS = 'https://homebase.rokid.com,https://s.rokidcdn.com';

export { HEADER_LINE, headerLine } from './config-fields.ts';

export const ConfigSchema = v.pipe(
  v.object({
    TABLE_NAME: text,
    DEVICE_CLOUD: v.optional(v.picklist(['virtual', 'http']), 'virtual'),
    DEVICE_CLOUD_URL: v.optional(httpUrl),
    DEVICE_CLOUD_TIMEOUT_MS: wholeNumber(2500),
    USERCENTER_URL: v.optional(httpUrl),
    USERCENTER_CREDENTIALS_ARN: v.optional(text),
    USERCENTER_SYS_ID: v.optional(v.string(), ''),
    USERCENTER_CLIENT_ID: v.optional(v.string(), ''),
    USERCENTER_SHA_ALGORITHM: v.optional(v.picklist(['sha1', 'sha256', 'sha512']), 'sha1'),
    USERCENTER_TIMEOUT_MS: wholeNumber(3000),
    USERCENTER_USER_ID_FIELD: v.optional(text, 'userId'),
    USERCENTER_BAD_CREDENTIALS_PATTERN: v.optional(pattern, 'password|credential|validate ?code|密码|验证码|用户名'),
    USERCENTER_DEAD_REFRESH_TOKEN_PATTERN: v.optional(pattern, 'refresh|token|invalid|expired|无效|过期|失效'),
    USER_TOKEN_TTL_S: wholeNumber(30 * 24 * 3600),
    REFRESH_TOKEN_TTL_S: wholeNumber(180 * 24 * 3600),
    REFRESH_LEAD_S: wholeNumber(DEFAULT_POLICY.leadS),
    REFRESH_SKEW_S: wholeNumber(DEFAULT_POLICY.skewS),
    REFRESH_MAX_IDLE_S: wholeNumber(DEFAULT_POLICY.maxIdleS),
    REFRESH_CONCURRENCY: wholeNumber(16),
    REFRESH_INTERVAL_S: wholeNumber(60),
    OAUTH_ISSUER: v.optional(httpUrl),
    OAUTH_AUTHORIZATION_ENDPOINT: v.optional(httpUrl),
    OAUTH_TOKEN_ENDPOINT: v.optional(httpUrl),
    OAUTH_USERINFO_ENDPOINT: v.optional(httpUrl),
    OAUTH_REVOCATION_ENDPOINT: v.optional(httpUrl),
    OAUTH_CLIENT_ID: v.optional(text),
    OAUTH_CLIENT_SECRET: v.optional(v.string(), ''),
    OAUTH_CLIENT_SECRET_ARN: v.optional(text),
    /** Unset: chosen from discovery's token_endpoint_auth_methods_supported, else Basic. */
    OAUTH_CLIENT_AUTH: v.optional(v.picklist(['client_secret_basic', 'client_secret_post'])),
    OAUTH_TOKEN_METHOD: v.optional(v.picklist(['POST', 'GET']), 'POST'),
    OAUTH_RESPONSE_PREFIX: v.optional(v.pipe(v.string(), v.nonEmpty())),
    OAUTH_DEFAULT_EXPIRES_IN_S: optionalWholeNumber,
    OAUTH_AUTHORIZE_PARAMS: v.optional(queryParams, ''),
    OAUTH_DEAD_REFRESH_TOKEN_PATTERN: v.optional(pattern, 'invalid.?grant|refresh.?token|expired|revoked|过期|失效|无效'),
    OAUTH_TIMEOUT_MS: wholeNumber(3000),
    OAUTH_SCOPE: v.optional(v.string()),
    OAUTH_USER_ID_CLAIM: v.optional(commaList, ''),
    OAUTH_CALLBACK_MODE: v.optional(v.picklist(['code', 'tokens']), 'code'),
    OAUTH_REFRESH_GRACE_S: wholeNumber(60),
    PUBLIC_BASE_URL: v.optional(httpUrl),
    CALLBACK_ALLOWED_ORIGINS: v.optional(commaList, HOMEBASE_CALLBACK_ORIGINS),
    CALLBACK_ALLOWED_URIS: v.optional(commaList, ''),
    DEVICE_OAUTH: v.optional(v.picklist(['on', 'off']), 'off'),
    /** The driver's own OAuth 2.0 server: Homebase as its registered client. Unset, the server is off. */
    HOMEBASE_CLIENT_ID: v.optional(v.pipe(text, v.maxLength(256))),
    HOMEBASE_CLIENT_SECRET: v.optional(v.string(), ''),
    HOMEBASE_CLIENT_SECRET_ARN: v.optional(text),
    HOMEBASE_REDIRECT_URIS: v.optional(urlList, HOMEBASE_REDIRECT_URI),
    HOMEBASE_SCOPES: v.optional(scopeList),
    /** Where the person signs in: the vendor's OAuth login (`oauth`) or the driver's own page (`usercenter`). Unset: oauth if configured. */
    HOMEBASE_SIGN_IN: v.optional(v.picklist(['oauth', 'usercenter'])),
    /** Deployed: the KMS key that wraps the data keys sealing vendor credentials. */
    CREDENTIALS_KMS_KEY_ID: v.optional(text),
    /** Local runs: a file holding the master key instead (npm start creates one in its data directory). */
    CREDENTIALS_KEY_FILE: v.optional(text),
    /** Sign-in throttling (docs/configuration.md): failures in a row free, then doubling delays up to the cap. */
    LOGIN_FREE_FAILURES: wholeNumber(5),
    LOGIN_DELAY_BASE_S: wholeNumber(1),
    LOGIN_DELAY_CAP_S: wholeNumber(1200),
    LOGIN_DEVICE_FAILURES: wholeNumber(10),
    LOGIN_LIMIT_PER_IP: wholeNumber(1000),
    LOGIN_LIMIT_WINDOW_S: wholeNumber(900),
    /** Deployed: the secret holding the attempt counters' HMAC key. */
    LOGIN_LIMIT_KEY_ARN: v.optional(text),
    /** Local runs: the HMAC key itself; unset, a random one per process. */
    LOGIN_LIMIT_KEY: v.optional(text),
    /** v2's JWT authorization (RFC 7519): the appId and appSecret the vendor issued to Rokid. Unset, JWTs are refused. */
    ROKID_JWT_APP_ID: v.optional(v.pipe(text, v.maxLength(256))),
    ROKID_JWT_APP_SECRET: v.optional(v.string(), ''),
    ROKID_JWT_APP_SECRET_ARN: v.optional(text),
    /** The console's custom header (自定义 Header), `name: value`: a v2 message without it is refused. */
    V2_REQUIRED_HEADER: v.optional(requiredHeader),
    /** The http device cloud's credential for JWT users, who have no upstream token: calls name the user instead. */
    DEVICE_CLOUD_SERVICE_TOKEN: v.optional(v.string(), ''),
    DEVICE_CLOUD_SERVICE_TOKEN_ARN: v.optional(text),
    /** State reports (docs/protocol-v2.md): the clientId Rokid's console gives under 上报设备状态. Unset, events are off. */
    ROKID_EVENTS_CLIENT_ID: v.optional(v.pipe(text, v.maxLength(256))),
    ROKID_EVENTS_CLIENT_SECRET: v.optional(v.string(), ''),
    ROKID_EVENTS_CLIENT_SECRET_ARN: v.optional(text),
    ROKID_OAUTH_TOKEN_URL: v.optional(httpUrl, 'https://oauth-service.rokid.com/oauth/token'),
    ROKID_EVENT_GATEWAY_URL: v.optional(httpUrl, 'https://homebase-openapi.rokid.com/async/events'),
    /** Rokid's planned /report/failed (digest 7.2): unset, the driver does not call it. */
    ROKID_REPORT_FAILED_URL: v.optional(httpUrl),
    /** One call to Rokid's token endpoint or gateway from the consumer and the refresh job. */
    ROKID_EVENTS_TIMEOUT_MS: wholeNumber(5000),
    /** The device-events webhook's shared HMAC key. */
    DEVICE_EVENTS_SECRET: v.optional(v.string(), ''),
    DEVICE_EVENTS_SECRET_ARN: v.optional(text),
    /** Deployed by the stack: the queue events travel through, and where the ones Rokid refused are set aside. */
    EVENTS_QUEUE_URL: v.optional(httpUrl),
    EVENTS_DEAD_LETTER_QUEUE_URL: v.optional(httpUrl),
  }),
  v.check((c) => c.DEVICE_CLOUD !== 'http' || c.DEVICE_CLOUD_URL !== undefined, 'DEVICE_CLOUD=http needs DEVICE_CLOUD_URL'),
  v.check(
    (c) => c.CREDENTIALS_KMS_KEY_ID !== undefined || c.CREDENTIALS_KEY_FILE !== undefined,
    'set CREDENTIALS_KMS_KEY_ID (deployed) or CREDENTIALS_KEY_FILE (local runs): vendor credentials are kept encrypted',
  ),
  v.check(
    (c) => c.USERCENTER_URL !== undefined || c.OAUTH_CLIENT_ID !== undefined,
    'set USERCENTER_URL or OAUTH_CLIENT_ID: the driver needs an upstream account service',
  ),
  v.check(
    (c) => c.OAUTH_CLIENT_ID === undefined || c.PUBLIC_BASE_URL !== undefined,
    'OAUTH_CLIENT_ID needs PUBLIC_BASE_URL, the URL the browser comes back to',
  ),
  v.check(
    (c) => c.OAUTH_CLIENT_ID === undefined || c.OAUTH_ISSUER !== undefined || c.OAUTH_TOKEN_ENDPOINT !== undefined,
    'OAUTH_CLIENT_ID needs OAUTH_ISSUER or OAUTH_TOKEN_ENDPOINT',
  ),
  v.check(
    (c) => c.HOMEBASE_CLIENT_ID === undefined || c.PUBLIC_BASE_URL !== undefined,
    'HOMEBASE_CLIENT_ID needs PUBLIC_BASE_URL, the issuer of the OAuth 2.0 server',
  ),
  v.check(
    (c) => c.HOMEBASE_CLIENT_ID === undefined || c.HOMEBASE_CLIENT_SECRET !== '' || c.HOMEBASE_CLIENT_SECRET_ARN !== undefined,
    'HOMEBASE_CLIENT_ID needs HOMEBASE_CLIENT_SECRET or HOMEBASE_CLIENT_SECRET_ARN',
  ),
  v.check(
    (c) => c.HOMEBASE_SIGN_IN !== 'oauth' || c.OAUTH_CLIENT_ID !== undefined,
    'HOMEBASE_SIGN_IN=oauth needs an OAuth upstream (OAUTH_CLIENT_ID)',
  ),
  v.check((c) => c.HOMEBASE_SIGN_IN !== 'usercenter' || c.USERCENTER_URL !== undefined, 'HOMEBASE_SIGN_IN=usercenter needs USERCENTER_URL'),
  v.check(
    (c) => c.ROKID_JWT_APP_ID === undefined || c.ROKID_JWT_APP_SECRET !== '' || c.ROKID_JWT_APP_SECRET_ARN !== undefined,
    'ROKID_JWT_APP_ID needs ROKID_JWT_APP_SECRET or ROKID_JWT_APP_SECRET_ARN',
  ),
  v.check(
    (c) =>
      c.ROKID_JWT_APP_ID === undefined ||
      c.DEVICE_CLOUD !== 'http' ||
      c.DEVICE_CLOUD_SERVICE_TOKEN !== '' ||
      c.DEVICE_CLOUD_SERVICE_TOKEN_ARN !== undefined,
    'ROKID_JWT_APP_ID with DEVICE_CLOUD=http needs DEVICE_CLOUD_SERVICE_TOKEN or DEVICE_CLOUD_SERVICE_TOKEN_ARN: a JWT user has no upstream token to call the device cloud with',
  ),
  v.check(
    (c) => c.ROKID_EVENTS_CLIENT_ID === undefined || c.ROKID_EVENTS_CLIENT_SECRET !== '' || c.ROKID_EVENTS_CLIENT_SECRET_ARN !== undefined,
    'ROKID_EVENTS_CLIENT_ID needs ROKID_EVENTS_CLIENT_SECRET or ROKID_EVENTS_CLIENT_SECRET_ARN',
  ),
  v.check(
    (c) => c.ROKID_EVENTS_CLIENT_ID === undefined || c.DEVICE_EVENTS_SECRET !== '' || c.DEVICE_EVENTS_SECRET_ARN !== undefined,
    'ROKID_EVENTS_CLIENT_ID needs DEVICE_EVENTS_SECRET or DEVICE_EVENTS_SECRET_ARN: the device cloud signs the changes it reports with it',
  ),
  v.check(
    (c) =>
      c.ROKID_EVENTS_CLIENT_ID === undefined ||
      c.DEVICE_CLOUD !== 'http' ||
      c.DEVICE_CLOUD_SERVICE_TOKEN !== '' ||
      c.DEVICE_CLOUD_SERVICE_TOKEN_ARN !== undefined,
    'ROKID_EVENTS_CLIENT_ID with DEVICE_CLOUD=http needs DEVICE_CLOUD_SERVICE_TOKEN or DEVICE_CLOUD_SERVICE_TOKEN_ARN: a state report reads the device with no user request to hand',
  ),
);

/** Are state reports on? Only when Rokid's console has given the driver a clientId for them. */
export const eventsOn = (config: Config): boolean => config.ROKID_EVENTS_CLIENT_ID !== undefined;
export type Config = v.InferOutput<typeof ConfigSchema>;
/** Settings as the keys are written in the environment: every value a string. */
export type ConfigInput = Partial<Record<keyof v.InferInput<(typeof ConfigSchema)['pipe'][0]>, string>>;

/** Every setting's name, as docs/configuration.md lists them. */
export const CONFIG_KEYS = Object.keys(ConfigSchema.pipe[0].entries) as (keyof ConfigInput)[];

/** The driver's settings out of an environment, and nothing else of it (a shell's environment holds more than settings). */
export const settingsIn = (env: Record<string, string | undefined>): ConfigInput =>
  Object.fromEntries(CONFIG_KEYS.filter((key) => env[key] !== undefined).map((key) => [key, env[key]]));

/**
 * Where a function's settings come from, asked on first use so that a bad setting is answered as an
 * envelope naming it rather than a crash at import.
 */
export type ConfigSource = () => Config;

export const fromEnvironment: ConfigSource = () => readConfig(process.env);

/** What a person should do about a bad setting: deployed, it is the operators'; under `npm start`, the person's own. */
export const DEPLOYED_REMEDY = 'Its operators must fix the deployment.';
export const LOCAL_REMEDY = 'Fix the setting and run npm start again; docs/configuration.md lists every key.';

export function readConfig(env: Record<string, string | undefined>, remedy = DEPLOYED_REMEDY): Config {
  const result = v.safeParse(ConfigSchema, env, { abortEarly: true });
  if (result.success) return result.output;
  const [issue] = result.issues;
  throw new DriverError(`The driver is not configured correctly (${describeIssue(issue, { root: 'the environment' })}). ${remedy}`);
}
