/**
 * The stack's settings: read from CDK context (`cdk deploy -c key=value` or cdk.json), checked with
 * a schema so a typo fails the synth with the key's name instead of deploying a broken driver.
 *
 * A key that configures the driver has no default here: unset, it is left out of the functions'
 * environment and the driver's own default (functions/config.ts) applies. Only the stack's own
 * settings (schedule, throttling, alarms) have defaults in this file.
 */
import * as v from 'valibot';
import { HEADER_LINE } from '../../functions/config.ts';

const httpsUrl = v.pipe(v.string(), v.trim(), v.url(), v.regex(/^https:\/\//, 'expected an https URL'));
const positive = v.pipe(v.union([v.string(), v.number()]), v.transform(Number), v.number(), v.integer(), v.minValue(1));
const withDefault = (fallback: number) => v.optional(positive, fallback);

export const StackConfigSchema = v.pipe(
  v.object({
    /** The upstream account service: `usercenter` (seed 004, password login) or `oauth` (an OAuth 2.0 server). */
    upstream: v.optional(v.picklist(['usercenter', 'oauth']), 'usercenter'),
    usercenterUrl: v.optional(httpsUrl),
    oauthIssuer: v.optional(httpsUrl),
    oauthAuthorizationEndpoint: v.optional(httpsUrl),
    oauthTokenEndpoint: v.optional(httpsUrl),
    oauthUserinfoEndpoint: v.optional(httpsUrl),
    oauthRevocationEndpoint: v.optional(httpsUrl),
    oauthClientId: v.optional(v.pipe(v.string(), v.nonEmpty())),
    oauthClientAuth: v.optional(v.picklist(['client_secret_basic', 'client_secret_post'])),
    /** `GET` for servers that take token requests with every parameter in the query (Xiaomi). */
    oauthTokenMethod: v.optional(v.picklist(['POST', 'GET'])),
    /** A fixed text the server writes before its JSON (Xiaomi: `&&&START&&&`). */
    oauthResponsePrefix: v.optional(v.pipe(v.string(), v.nonEmpty())),
    /** The access token's lifetime when the server does not say. */
    oauthDefaultExpiresInSeconds: v.optional(positive),
    /** Fixed authorize-URL parameters, as a query string (`skip_confirm=true`). */
    oauthAuthorizeParams: v.optional(v.string()),
    oauthScope: v.optional(v.string()),
    /** A token-response field holding the user id, for servers with neither ID tokens nor userinfo. */
    oauthUserIdClaim: v.optional(v.pipe(v.string(), v.nonEmpty())),
    /** `code` (seeds 000/001, the default) or `tokens` (seed 002: the userAuth appended to callbackURL). */
    oauthCallbackMode: v.optional(v.picklist(['code', 'tokens'])),
    /** Seed 003's callback service for engineers (`GET /device_oauth/...`); off unless asked for. */
    deviceOAuth: v.optional(v.union([v.boolean(), v.picklist(['true', 'false'])]), false),
    /** The device cloud adapter: `virtual` (a demo home in the table) or `http` (the vendor's REST API). */
    deviceCloud: v.optional(v.picklist(['virtual', 'http'])),
    deviceCloudUrl: v.optional(httpsUrl),
    /** Comma-separated origins allowed as OAuth callbackURL. */
    callbackAllowedOrigins: v.optional(v.string()),
    /** Comma-separated exact callback addresses (scheme, host, port, path), beside the origins. */
    callbackAllowedUris: v.optional(v.string()),
    /**
     * The driver's own OAuth 2.0 server (RFC 6749), Rokid's recommended path: the client id Rokid's
     * console is given. Unset, the server is off. Its secret is generated into a stack secret.
     */
    homebaseClientId: v.optional(v.pipe(v.string(), v.nonEmpty(), v.maxLength(256))),
    /** Comma-separated redirect URIs Homebase may use, matched exactly; default Rokid's own. */
    homebaseRedirectUris: v.optional(v.string()),
    /** Space- or comma-separated scopes the client may ask for; unset, any. */
    homebaseScopes: v.optional(v.string()),
    /**
     * v2's JWT authorization (RFC 7519): the appId the vendor gives Rokid's console. Unset, JWTs are refused.
     * Its appSecret is generated into a stack secret, to be pasted into the console beside it.
     */
    rokidJwtAppId: v.optional(v.pipe(v.string(), v.nonEmpty(), v.maxLength(256))),
    /** The console's optional custom header (自定义 Header) for v2, `Name: value`: a message without it is refused. */
    v2RequiredHeader: v.optional(v.pipe(v.string(), v.regex(HEADER_LINE, 'expected "Name: value"'))),
    /**
     * State reports: the clientId Rokid's console gives under 上报设备状态. Unset, events are off. Its clientSecret
     * goes into a stack secret the operators set; the device cloud's webhook key is generated into another.
     */
    rokidEventsClientId: v.optional(v.pipe(v.string(), v.nonEmpty(), v.maxLength(256))),
    rokidOAuthTokenUrl: v.optional(httpsUrl),
    rokidEventGatewayUrl: v.optional(httpsUrl),
    /** Rokid's planned /report/failed; unset, it is not called. */
    rokidReportFailedUrl: v.optional(httpsUrl),
    refreshLeadSeconds: v.optional(positive),
    refreshScheduleMinutes: withDefault(5),
    refreshConcurrency: v.optional(positive),
    /** API Gateway throttling for the whole API. */
    throttleRateLimit: withDefault(50),
    throttleBurstLimit: withDefault(100),
    /** Where alarm notifications go; the topic exists either way. */
    alarmEmail: v.optional(v.pipe(v.string(), v.email())),
  }),
  v.check((c) => c.upstream !== 'usercenter' || c.usercenterUrl !== undefined, 'upstream=usercenter needs usercenterUrl'),
  v.check(
    (c) => c.upstream !== 'oauth' || (c.oauthClientId !== undefined && (c.oauthIssuer !== undefined || c.oauthTokenEndpoint !== undefined)),
    'upstream=oauth needs oauthClientId and oauthIssuer (or oauthTokenEndpoint)',
  ),
  v.check((c) => c.deviceCloud !== 'http' || c.deviceCloudUrl !== undefined, 'deviceCloud=http needs deviceCloudUrl'),
);
export type StackConfig = v.InferOutput<typeof StackConfigSchema>;

export const CONTEXT_KEYS = Object.keys(StackConfigSchema.pipe[0].entries) as (keyof StackConfig)[];

/** Reads the keys above from context; throws naming the first bad key. */
export function stackConfig(tryGetContext: (key: string) => unknown): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value = tryGetContext(key);
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const result = v.safeParse(StackConfigSchema, raw, { abortEarly: true });
  if (result.success) return result.output;
  const [issue] = result.issues;
  const key = issue.path?.map((p) => p.key).join('.');
  throw new Error(`homebase-driver context: ${key ? `${key}: ` : ''}${issue.message}`);
}
