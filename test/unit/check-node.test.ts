import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs bin/check-node.mjs in a node that reports the given version. */
function checkAs(version: string) {
  const script = `Object.defineProperty(process.versions, 'node', { value: '${version}' }); await import('./bin/check-node.mjs');`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

describe('the Node version guard before npm start and npm test', () => {
  it('stops on Node 20 and says how to get the pinned Node 24', () => {
    const run = checkAs('20.20.2');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('homebase-driver needs Node 22 or newer (24 is pinned), but this is Node 20.20.2');
    expect(run.stderr).toContain('`npm ci --ignore-scripts` skips that install');
  });

  it.each(['22.12.0', '24.21.0'])('lets Node %s through silently', (version) => {
    const run = checkAs(version);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  });
});
