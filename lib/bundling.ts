/**
 * How every Lambda function is bundled: one definition, used by the CDK stack (at synth) and by the
 * bundle tests and benchmark, so that they build with the options deployed. The artifact itself, what
 * `cdk synth` writes into cdk.out, is run by test/infra/deployed.test.ts and `npm run preflight`.
 *
 * Each function is an ES module split into chunks: `index.mjs` holds what every invocation runs, and
 * what only some invocations need (the OAuth client, the UserCenter client, the parts of the SDK it
 * loads on demand) sits in `chunks/`, loaded by `import()` the first time it is called. A /list
 * whose upstream token is fresh never parses them (`npm run bench:lambda` measures the difference).
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BuildOptions } from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The handler as Lambda names it: `index.mjs`, export `handler`. */
export const HANDLER = 'index.handler';

/** Module replacements, each explained where it is defined. */
const ALIAS: Record<string, string> = {
  '@aws-sdk/credential-provider-node': `${ROOT}functions/runtime/lambda-credentials.ts`,
  'node:http': `${ROOT}functions/runtime/node-http.ts`,
  http: `${ROOT}functions/runtime/node-http.ts`,
};

/**
 * The esbuild options for one function, written into `outdir`. The AWS SDK v3 is bundled in, not taken
 * from the runtime: bundled and minified it loads faster than the runtime's copy spread over hundreds
 * of files, and the SDK deployed is the one tested. `externalSdk` builds that road not taken, which
 * the benchmark measures.
 */
export function esbuildOptions(entry: string, outdir: string, options: { externalSdk?: boolean } = {}): BuildOptions {
  return {
    entryPoints: { index: entry.startsWith('/') ? entry : `${ROOT}${entry}` },
    outdir,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: true,
    external: options.externalSdk ? ['@aws-sdk/*'] : [],
    // Some bundled CommonJS still calls require(); ESM has none, so each chunk gets one.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    mainFields: ['module', 'main'],
    alias: ALIAS,
    logLevel: 'warning',
  };
}

/** The size of a built function: every chunk it may load, raw and gzipped one by one as Lambda stores them. */
export async function bundleSize(outdir: string): Promise<{ raw: number; gzip: number; files: number }> {
  const files = (await readdir(outdir, { recursive: true })).map(String).filter((file) => file.endsWith('.mjs'));
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const code = await readFile(`${outdir}/${file}`);
    raw += code.length;
    gzip += gzipSync(code).length;
  }
  return { raw, gzip, files: files.length };
}
