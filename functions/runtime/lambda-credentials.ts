/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (lib/bundling.ts aliases
 * it here). In Lambda the credentials are always in the environment, and the default chain's other
 * providers (SSO, INI files, process, web identity) would add 20 KB gzipped and load time for nothing.
 * Local runs and tests of the source keep the SDK's full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
