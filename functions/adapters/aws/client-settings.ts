/**
 * Settings for the SDK's clients inside Lambda, read from the environment just as the SDK reads them.
 *
 * Left unset, a client looks each setting up on its first call: in the environment, then in
 * ~/.aws/config and ~/.aws/credentials, then its default. A Lambda has neither file, so each of about
 * ten settings costs an error with a stack trace and a file lookup before the default applies: about
 * 4 % of a cold /execute or refresh run (docs/performance.md). Given here, the SDK asks nothing. (The user
 * agent's app id is not among them: the DynamoDB client drops the user-agent middleware that would ask for it,
 * dynamodb/client.ts, and the driver's other AWS calls are not the SDK's.)
 *
 * Only inside Lambda (AWS_LAMBDA_FUNCTION_NAME is set). Elsewhere, as for `npm run links -- --table`
 * on an operator's machine, clients keep the SDK's full chain, so a profile's settings still apply.
 */

/** How the SDK's environment variables name each service the driver calls through an SDK client. */
type Service = 'DYNAMODB';

const flag = (value: string | undefined) => value?.trim().toLowerCase() === 'true';
const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

export function lambdaClientSettings(service: Service, env: NodeJS.ProcessEnv = process.env) {
  if (env['AWS_LAMBDA_FUNCTION_NAME'] === undefined) return {};
  const endpoint = flag(env['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'])
    ? undefined
    : (env[`AWS_ENDPOINT_URL_${service}`] ?? env['AWS_ENDPOINT_URL']);
  return {
    // A given endpoint stands for the one the SDK would have found in the environment; with none
    // given, it must not go looking in files for one.
    ...(endpoint ? { endpoint } : { ignoreConfiguredEndpointUrls: true }),
    defaultsMode: (env['AWS_DEFAULTS_MODE'] ?? 'legacy') as 'legacy',
    maxAttempts: Number(env['AWS_MAX_ATTEMPTS']) || 3,
    retryMode: env['AWS_RETRY_MODE'] ?? 'standard',
    useDualstackEndpoint: flag(env['AWS_USE_DUALSTACK_ENDPOINT']),
    useFipsEndpoint: flag(env['AWS_USE_FIPS_ENDPOINT']),
    disableClockSkewCorrection: flag(env['AWS_DISABLE_CLOCK_SKEW_CORRECTION']),
    authSchemePreference: list(env['AWS_AUTH_SCHEME_PREFERENCE']),
    // DynamoDB's account-based endpoints.
    accountIdEndpointMode: (env['AWS_ACCOUNT_ID_ENDPOINT_MODE'] ?? 'preferred') as 'preferred',
  };
}
