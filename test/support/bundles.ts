/**
 * Running built Lambda bundles as the runtime would: each call a fresh Node process (a cold
 * container) with a Lambda-like environment pointed at the local stand-ins.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT } from '../../lib/bundling.ts';
import { RUNTIME_ENVIRONMENT } from '../../lib/functions.ts';
import { tempKeyFile } from './credentials.ts';

const run = promisify(execFile);

/**
 * The environment a deployed function gets (the stack's runtime environment, so Node runs with the
 * deployed options), with local endpoints, dummy credentials, and a log level of the caller's.
 */
export function lambdaEnv(settings: {
  tableName: string;
  dynamoEndpoint: string;
  userCenterUrl: string;
  logLevel?: string;
  /** How vendor credentials are sealed: a key file, or a KMS key at a (fake) endpoint. */
  credentials?: { keyFile: string } | { kmsKeyId: string; kmsEndpoint: string };
  /**
   * The stack's secrets at a (fake) Secrets Manager, as deployed: the attempt-limit key and the
   * UserCenter credentials. Without them, the local defaults apply.
   */
  secrets?: { endpoint: string; loginLimitKeyArn: string; userCenterCredentialsArn: string };
}) {
  const credentials = settings.credentials ?? { keyFile: tempKeyFile() };
  const secrets = settings.secrets;
  return {
    ...(secrets && {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      LOGIN_LIMIT_KEY_ARN: secrets.loginLimitKeyArn,
      USERCENTER_CREDENTIALS_ARN: secrets.userCenterCredentialsArn,
    }),
    ...RUNTIME_ENVIRONMENT,
    ...('keyFile' in credentials
      ? { CREDENTIALS_KEY_FILE: credentials.keyFile }
      : { CREDENTIALS_KMS_KEY_ID: credentials.kmsKeyId, AWS_ENDPOINT_URL_KMS: credentials.kmsEndpoint }),
    PATH: process.env['PATH'],
    // Set in every Lambda; the driver's SDK clients then take their settings from the environment alone.
    AWS_LAMBDA_FUNCTION_NAME: 'homebase-bundle',
    TABLE_NAME: settings.tableName,
    USERCENTER_URL: settings.userCenterUrl,
    AWS_ENDPOINT_URL_DYNAMODB: settings.dynamoEndpoint,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: settings.logLevel ?? 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
}

export interface BundleAnswer {
  result: any;
  /** From the start of the import to the end of it, and to the answer to this event. */
  importMs: number;
  firstAnswerMs: number;
  /** Node's built-in modules loaded since the import began (`process.moduleLoadList`), up to this answer. */
  loaded: string[];
}

/** Imports the bundle in a fresh process and answers each event in turn (see invoke-bundle.mjs). */
export async function invokeFresh(bundle: string, events: unknown[], env: Record<string, string | undefined>): Promise<BundleAnswer[]> {
  const { stdout } = await run(process.execPath, [`${ROOT}test/support/invoke-bundle.mjs`, bundle, JSON.stringify(events)], { env });
  // Given no event, a process only imports the bundle (what it starts at init, it finishes before it exits).
  if (events.length === 0) return [];
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as BundleAnswer);
}
