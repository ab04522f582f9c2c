import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs bin/check-node.mjs in a node that reports the given version. */
function checkAs(version: string) {
  const script = `Object.defineProperty(process.versions, 'node', { value: '${version}' }); await import('./bin/check-node.mjs');`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

describe('the Node version guard before npm start and npm test', () => {
  it.each(['20.20.2', '22.12.0'])('stops on Node %s and says how to get the pinned Node 24', (version) => {
    const run = checkAs(version);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`homebase-driver needs Node 24 or newer (the Lambda runtime it deploys to), but this is Node ${version}`);
    expect(run.stderr).toContain('`npm ci --ignore-scripts` skips that install');
  });

  it.each(['24.0.0', '24.21.0', '26.1.0'])('lets Node %s through silently', (version) => {
    const run = checkAs(version);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  });
});
