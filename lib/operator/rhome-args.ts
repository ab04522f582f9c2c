/**
 * `npm run rhome-check`'s command line: its options, its help, and where it finds Rokid's rhome 2.0.8. An option it
 * does not know is a usage error (exit 2), and a missing rhome names every place it looked, never a stack.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rhomeCacheOf } from './rhome.ts';

export const RHOME_CHECK_USAGE = `usage: npm run rhome-check [-- --rhome <dir>]

Runs Rokid's own v2 client, rhome 2.0.8, against a driver started on loopback for the run (the virtual device
cloud, both authorization types: a driver access token as BearerToken, and a JWT). For each it discovers and checks
every endpoint against rhome's schema, controls a light, reports its state, and sends a directive the driver must
refuse. rhome is copied to the system's temporary directory and its dependencies installed there once.

Options:
  --rhome <dir>  a checkout of github.com/Rokid/rokid-homebase-cli at v2.0.8 (default: ../shared/rhome-2.0.8 beside
                 this repository); always copied over the cached copy, so the one named is the one run
  -h, --help     this text

Exit codes: 0 every step passed, 1 a step failed, 2 a usage error or no rhome to run.`;

export type RhomeCheckCommand = { kind: 'help' } | { kind: 'usage'; problem: string } | { kind: 'run'; rhome: string | undefined };

export function parseRhomeCheckArgs(args: string[]): RhomeCheckCommand {
  let values: { rhome?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({ args, options: { rhome: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (error) {
    return { kind: 'usage', problem: error instanceof Error ? error.message : String(error) };
  }
  if (values.help) return { kind: 'help' };
  if (values.rhome === '') return { kind: 'usage', problem: '--rhome needs a directory' };
  return { kind: 'run', rhome: values.rhome };
}

/** The default place: the shared checkout beside this repository. */
export const DEFAULT_RHOME = fileURLToPath(new URL('../../../shared/rhome-2.0.8', import.meta.url));

/** A directory holds rhome when it has its entry point and schemas. */
const isRhome = (dir: string) => existsSync(join(dir, 'bin', 'rhome.js')) && existsSync(join(dir, 'jsonschema'));

/**
 * The rhome to run: the one `--rhome` names (it must be there), else the default checkout, else a copy an
 * earlier run installed from it. Otherwise an error naming each place looked in.
 */
export function locateRhome(
  explicit: string | undefined,
  defaults = { source: DEFAULT_RHOME, cacheRoot: tmpdir() },
): { source: string; cached: boolean } {
  if (explicit !== undefined) {
    const dir = resolve(explicit);
    if (isRhome(dir)) return { source: dir, cached: false };
    throw new RhomeNotFoundError([`${dir} (--rhome)`]);
  }
  if (isRhome(defaults.source)) return { source: defaults.source, cached: false };
  const cache = rhomeCacheOf(defaults.source, defaults.cacheRoot);
  // prepareRhome runs the copy as it is when its source is gone.
  if (isRhome(cache) && existsSync(join(cache, 'node_modules'))) return { source: defaults.source, cached: true };
  throw new RhomeNotFoundError([`${defaults.source} (the default)`, `${cache} (a copy an earlier run installed)`]);
}

export class RhomeNotFoundError extends Error {
  constructor(places: string[]) {
    super(
      `rhome 2.0.8 was not found (a directory with bin/rhome.js and jsonschema/). Looked in:\n${places.map((p) => `  ${p}`).join('\n')}\nClone github.com/Rokid/rokid-homebase-cli at v2.0.8 and pass --rhome <dir>.`,
    );
    this.name = 'RhomeNotFoundError';
  }
}
