/**
 * The SDK client settings given inside Lambda: read from the environment as the SDK reads them, so
 * the SDK never looks in ~/.aws files, and given nowhere else, so an operator's profile still applies.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { lambdaClientSettings } from '../../functions/adapters/aws/client-settings.ts';

const inLambda = { AWS_LAMBDA_FUNCTION_NAME: 'homebase-list' };

describe('lambdaClientSettings', () => {
  it('gives nothing outside Lambda, so the SDK keeps its full chain', () => {
    expect(lambdaClientSettings('DYNAMODB', { AWS_USE_FIPS_ENDPOINT: 'true' })).toEqual({});
  });

  it('gives the SDK defaults in a Lambda environment that sets nothing', () => {
    expect(lambdaClientSettings('DYNAMODB', inLambda)).toEqual({
      ignoreConfiguredEndpointUrls: true,
      defaultsMode: 'legacy',
      maxAttempts: 3,
      retryMode: 'standard',
      useDualstackEndpoint: false,
      useFipsEndpoint: false,
      disableClockSkewCorrection: false,
      authSchemePreference: [],
      accountIdEndpointMode: 'preferred',
    });
  });

  it('reads each setting from the variable the SDK reads', () => {
    const env = {
      ...inLambda,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:2',
      AWS_DEFAULTS_MODE: 'in-region',
      AWS_MAX_ATTEMPTS: '5',
      AWS_RETRY_MODE: 'adaptive',
      AWS_USE_DUALSTACK_ENDPOINT: 'true',
      AWS_USE_FIPS_ENDPOINT: 'TRUE',
      AWS_DISABLE_CLOCK_SKEW_CORRECTION: 'true',
      AWS_AUTH_SCHEME_PREFERENCE: 'sigv4a, sigv4',
      AWS_ACCOUNT_ID_ENDPOINT_MODE: 'disabled',
    };
    expect(lambdaClientSettings('DYNAMODB', env)).toEqual({
      endpoint: 'http://127.0.0.1:2',
      defaultsMode: 'in-region',
      maxAttempts: 5,
      retryMode: 'adaptive',
      useDualstackEndpoint: true,
      useFipsEndpoint: true,
      disableClockSkewCorrection: true,
      authSchemePreference: ['sigv4a', 'sigv4'],
      accountIdEndpointMode: 'disabled',
    });
    // Without an endpoint of its own, the general one.
    const { AWS_ENDPOINT_URL_DYNAMODB: _own, ...general } = env;
    expect(lambdaClientSettings('DYNAMODB', general)).toMatchObject({ endpoint: 'http://127.0.0.1:1' });
  });

  it('drops endpoints from the environment when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS says so, as the SDK does', () => {
    const settings = lambdaClientSettings('DYNAMODB', {
      ...inLambda,
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:2',
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
    });
    expect(settings).not.toHaveProperty('endpoint');
    expect(settings).toMatchObject({ ignoreConfiguredEndpointUrls: true });
  });
});

describe('a DynamoDB client with and without them', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  // A profile that sets what the SDK otherwise reads from files; each test gets its own file,
  // because the SDK caches what it read by path.
  const withProfile = () => {
    const file = join(mkdtempSync(join(tmpdir(), 'homebase-aws-')), 'config');
    writeFileSync(file, '[default]\nuse_fips_endpoint = true\nretry_mode = adaptive\n');
    Object.assign(process.env, { AWS_CONFIG_FILE: file, AWS_REGION: 'eu-west-1' });
    delete process.env['AWS_USE_FIPS_ENDPOINT'];
    delete process.env['AWS_RETRY_MODE'];
  };

  it('outside Lambda, the SDK still applies the settings of a profile', async () => {
    withProfile();
    const client = new DynamoDBClient(lambdaClientSettings('DYNAMODB', {}));
    await expect(client.config.useFipsEndpoint()).resolves.toBe(true);
    await expect(client.config.retryStrategy()).resolves.toMatchObject({ mode: 'adaptive' });
  });

  it('inside Lambda, the SDK reads no file', async () => {
    withProfile();
    const client = new DynamoDBClient(lambdaClientSettings('DYNAMODB', inLambda));
    await expect(client.config.useFipsEndpoint()).resolves.toBe(false);
    await expect(client.config.retryStrategy()).resolves.toMatchObject({ mode: 'standard' });
  });
});
