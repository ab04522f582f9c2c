/**
 * Rokid's own v2 client, rhome 2.0.8 (Rokid/rokid-homebase-cli, MIT), run as it is from a copy of its source:
 * not on the npm registry, and never copied into this project. Its schemas predate the docs; the additions the
 * digest describes (shared/docs/homebase-v2.md, section 8) are made to the copy, each listed in
 * DOCS_ADDITIONS, so that what it still refuses is a finding.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { access, cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DISPLAY_TYPES } from '../conformance/v2/rules.ts';

const run = promisify(execFile);

/** What the copy's schemas gain, with where the docs say so. */
export const DOCS_ADDITIONS = [
  'v2-endpoint: recommendHomeName, a string (endpoint.md, 2018-12-19)',
  'v2-definitions interface: MotionSwitch (2018-04-12) and Mute (2018-12-17)',
  'v2-definitions displayType: the 14 types endpoint-type.md added (stb, box, and the 12 of 2019-08-26)',
  'v2-header: namespace Rokid.Authorization and Rokid.EventSource, authorization type JWT (rfc7519.md)',
] as const;

/** Where a copy of `source` is kept and installed: one per source, so that another checkout never finds this one's copy. */
export const rhomeCacheOf = (source: string, root = tmpdir()) =>
  join(root, `homebase-driver-rhome-2.0.8-${createHash('sha256').update(resolve(source)).digest('hex').slice(0, 12)}`);

/**
 * A runnable copy of rhome under the system's temporary directory, its dependencies installed once and kept for later
 * runs. The source is copied over the copy on every run, so that the rhome named is the one that runs.
 */
export async function prepareRhome(source: string, log: (line: string) => void = () => undefined, cacheRoot = tmpdir()): Promise<string> {
  const dir = rhomeCacheOf(source, cacheRoot);
  // A source that is gone leaves the copy as it is (rhome-args.ts only allows that for the default checkout).
  if (existsSync(source)) {
    await cp(source, dir, { recursive: true, force: true, filter: (path) => !path.includes('node_modules') });
  }
  const installed = await access(join(dir, 'node_modules', 'jsonwebtoken')).then(
    () => true,
    () => false,
  );
  if (!installed) {
    log(`installing rhome's dependencies in ${dir} (about 200 packages, a minute)`);
    await run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir });
  }
  await bringSchemasToDocs(dir);
  // Its update check calls GitHub on every command, and its failure would pass for a protocol error.
  await writeFile(
    join(dir, 'no-update-check.cjs'),
    "require.cache[require.resolve('./lib/update-manager.js')] = { loaded: true, exports: { checkUpdates: async () => undefined } };\n",
  );
  return dir;
}

/** The little of a JSON schema the additions touch. */
interface SchemaNode {
  type?: string;
  enum: string[];
  properties: Record<string, SchemaNode>;
  definitions: Record<string, SchemaNode>;
}

async function bringSchemasToDocs(dir: string): Promise<void> {
  const edit = async (name: string, change: (schema: SchemaNode) => void) => {
    const path = join(dir, 'jsonschema', name);
    const schema = JSON.parse(await readFile(path, 'utf8')) as SchemaNode;
    change(schema);
    await writeFile(path, `${JSON.stringify(schema, null, 2)}\n`);
  };
  const add = (list: string[], items: string[]) => {
    for (const item of items) if (!list.includes(item)) list.push(item);
  };
  await edit('v2-endpoint.json', (s) => {
    s.properties['recommendHomeName'] = { type: 'string' } as SchemaNode;
  });
  await edit('v2-definitions.json', (s) => {
    add(s.definitions['interface']!.enum, ['MotionSwitch', 'Mute']);
    // The docs' 41 (the conformance CLI's list of them); rhome has 27, and `add` keeps those once.
    add(s.definitions['displayType']!.enum, [...DISPLAY_TYPES]);
  });
  await edit('v2-header.json', (s) => {
    add(s.properties['namespace']!.enum, ['Rokid.Authorization', 'Rokid.EventSource']);
    add(s.properties['authorization']!.properties['type']!.enum, ['JWT']);
  });
}

/** A session (rhome's word for a driver profile) as rhome.json keeps it. */
export type RhomeSession =
  | { name: string; endpoint: string; kind: 'bearer'; userId: string; userToken: string }
  | { name: string; endpoint: string; kind: 'jwt'; userId: string; appId: string; appSecret: string };

export interface Rhome {
  /** Runs one rhome command; rejects, with its output, when rhome fails (a refused reply, a schema failure). */
  command(args: string[]): Promise<string>;
  /** Validates a value against one of rhome's schemas with its own ajv: its Discover check accepts any object (digest, section 8). */
  validate(schema: string, value: unknown): Promise<string | undefined>;
}

export async function rhomeFor(dir: string, session: RhomeSession): Promise<Rhome> {
  const home = await mkdtemp(join(tmpdir(), 'rhome-home-'));
  const userAuth = { userId: session.userId, userToken: session.kind === 'bearer' ? session.userToken : '' };
  const profile = {
    name: session.name,
    endpoint: session.endpoint,
    protocol: 'v2',
    userAuth,
    ...(session.kind === 'jwt' ? { authType: 'rfc7519', config: { appId: session.appId, appSecret: session.appSecret } } : {}),
  };
  await writeFile(
    join(home, 'rhome.json'),
    JSON.stringify({ sessions: [profile], devices: [], currentSession: session.name, latestVersion: false, dbVersion: '2.0.8' }),
  );
  const env = { ...process.env, HOME: home, FORCE_COLOR: '0', NO_COLOR: '1' };
  return {
    async command(args) {
      // strict: an error rhome leaves unhandled (how it reports a refused reply) ends it with a non-zero code.
      const { stdout, stderr } = await run(
        process.execPath,
        ['--unhandled-rejections=strict', '--require', join(dir, 'no-update-check.cjs'), join(dir, 'bin', 'rhome.js'), ...args],
        { cwd: dir, env, timeout: 20_000 },
      );
      return `${stdout}${stderr}`;
    },
    async validate(schema, value) {
      const script = `const { ajv } = require('./lib/schema'); const ok = ajv.validate(${JSON.stringify(schema)}, JSON.parse(process.argv[1])); console.log(ok ? '' : ajv.errorsText(ajv.errors));`;
      const { stdout } = await run(process.execPath, ['-e', script, JSON.stringify(value)], { cwd: dir, env });
      return stdout.trim() || undefined;
    },
  };
}
