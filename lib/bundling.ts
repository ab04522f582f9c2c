/**
 * How every Lambda function is bundled: one definition, read by the CDK stack (NodejsFunction) and by
 * the bundle tests and benchmark (esbuild directly), so the bundles tested are the bundles deployed.
 */
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const BUNDLING = {
  format: 'esm',
  target: 'node24',
  minify: true,
  sourceMap: true,
  /**
   * The AWS SDK v3 is bundled in, not taken from the runtime: one minified file loads faster than
   * the runtime's SDK spread over hundreds of files (`npm run bench:lambda` measures both), and the
   * SDK deployed is the one tested. It keeps each bundle under 150 KB gzipped.
   */
  externalModules: [] as string[],
  /** Some bundled CommonJS still calls require(); ESM has none, so give it one. */
  banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
  mainFields: ['module', 'main'],
  /** Module replacements, each explained where it is defined. */
  alias: {
    '@aws-sdk/credential-provider-node': `${ROOT}functions/runtime/lambda-credentials.ts`,
    'node:http': `${ROOT}functions/runtime/node-http.ts`,
    http: `${ROOT}functions/runtime/node-http.ts`,
  } as Record<string, string>,
} as const;

/**
 * The same bundle as esbuild options, for building outside CDK. `externalSdk` builds the alternative
 * the benchmark compares against: the SDK left to the runtime.
 */
export function esbuildOptions(entry: string, outfile: string, options: { externalSdk?: boolean } = {}): BuildOptions {
  return {
    entryPoints: [entry.startsWith('/') ? entry : `${ROOT}${entry}`],
    outfile,
    bundle: true,
    platform: 'node',
    format: BUNDLING.format,
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    external: options.externalSdk ? ['@aws-sdk/*'] : [...BUNDLING.externalModules],
    banner: { js: BUNDLING.banner },
    mainFields: [...BUNDLING.mainFields],
    alias: BUNDLING.alias,
    logLevel: 'warning',
  };
}
