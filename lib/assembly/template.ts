/**
 * A synthesized cloud assembly (`cdk.out`) read as CloudFormation would deploy it: the stack's template,
 * its file assets, and the references between resources resolved to the physical names the local cloud
 * gives them. Only the intrinsics the stack uses are understood; any other fails loudly, so that a new
 * construct cannot slip past the harness unresolved.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Resource {
  Type: string;
  Properties?: Record<string, any>;
}

export interface CloudAssembly {
  dir: string;
  stackName: string;
  resources: Record<string, Resource>;
  /** The folder of a file asset, by the S3 key a resource names it with. */
  assetDir(s3Key: string): string;
}

/** Reads the first CloudFormation stack of the assembly in `dir`. */
export async function readAssembly(dir: string): Promise<CloudAssembly> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string }; dependencies?: string[] }>;
  };
  const [stackName, stack] =
    Object.entries(manifest.artifacts).find(([, artifact]) => artifact.type === 'aws:cloudformation:stack') ??
    failWith(`no CloudFormation stack in ${dir}/manifest.json`);
  const template = JSON.parse(await readFile(join(dir, stack.properties?.templateFile ?? `${stackName}.template.json`), 'utf8'));
  const assets = JSON.parse(await readFile(join(dir, `${stackName}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }>;
  };
  const byKey = new Map<string, string>();
  for (const file of Object.values(assets.files)) {
    for (const destination of Object.values(file.destinations)) byKey.set(destination.objectKey, join(dir, file.source.path));
  }
  return {
    dir,
    stackName,
    resources: template.Resources,
    assetDir: (s3Key) => byKey.get(s3Key) ?? failWith(`no asset with the S3 key ${s3Key} in ${dir}`),
  };
}

/** What `Ref` and `Fn::GetAtt` answer for one resource, as the local cloud names it. */
export type Physical = (logicalId: string, attribute?: string) => string;

/** Resolves a template value: strings as they are, and Ref, Fn::GetAtt, Fn::Join and Fn::Sub through `physical`. */
export function resolve(value: unknown, physical: Physical): any {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => resolve(item, physical));
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [[fn, arg]] = entries as [[string, any]];
    if (fn === 'Ref') return physical(arg);
    if (fn === 'Fn::GetAtt') return physical(arg[0], arg[1]);
    if (fn === 'Fn::Join') return (resolve(arg[1], physical) as string[]).join(arg[0]);
    if (fn === 'Fn::Sub' && typeof arg === 'string') {
      return arg.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        const [id, attribute] = name.split('.');
        return physical(id!, attribute);
      });
    }
    if (fn.startsWith('Fn::')) throw new Error(`the local cloud does not resolve ${fn}`);
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolve(item, physical)]));
}

/** The resources of one type, by logical id. */
export function resourcesOfType(assembly: CloudAssembly, type: string): [string, Resource][] {
  return Object.entries(assembly.resources).filter(([, resource]) => resource.Type === type);
}

/**
 * The names a function's asset exports from its entry (`index.mjs`), read from the module's export
 * statement without running it. Every asset exports `handler`; the driver's also export the factory
 * that made it (`listHandler`), which tells which function the asset is.
 */
export async function assetExports(assetDir: string): Promise<string[]> {
  const code = await readFile(join(assetDir, 'index.mjs'), 'utf8');
  const statements = [...code.matchAll(/export\s*\{([^}]*)\}/g)].map((m) => m[1]!);
  return statements.flatMap((list) =>
    list
      .split(',')
      .map((item) =>
        item
          .trim()
          .split(/\s+as\s+/)
          .at(-1)!
          .trim(),
      )
      .filter(Boolean),
  );
}

/** The function an asset holds, by its own factory export: `listHandler` → `list`. */
export async function driverFunctionOf(assetDir: string): Promise<string | undefined> {
  const factories = (await assetExports(assetDir)).filter((name) => name.endsWith('Handler'));
  return factories.length === 1 ? factories[0]!.slice(0, -'Handler'.length) : undefined;
}

/** The logical id a `Ref` or `Fn::GetAtt` points at, for following references without resolving them. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (Array.isArray(join)) return join[1].map(referencedId).find((id) => id !== undefined);
  return undefined;
}

/** For an assembly the harness cannot run: where the template breaks an assumption, as an expression. */
export function failWith(message: string): never {
  throw new Error(message);
}
