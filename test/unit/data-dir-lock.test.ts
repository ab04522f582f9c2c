/** One npm start per data directory; a lock left by a process that no longer runs is taken over. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { lockDataDir } from '../../lib/local/data-dir-lock.ts';

it('refuses a directory a running process holds, takes over a stale lock, and frees it on release', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'homebase-lock-'));
  const release = await lockDataDir(dir);
  expect(await readFile(join(dir, 'driver.lock'), 'utf8')).toBe(String(process.pid));
  await expect(lockDataDir(dir)).rejects.toMatchObject({
    name: 'DataDirInUseError',
    message: `the data directory ${dir} is in use by another npm start (process ${process.pid}); stop that one, or set DATA_DIR to another directory`,
  });
  await release();
  // A crashed start leaves its lock behind, naming a process that is gone.
  await writeFile(join(dir, 'driver.lock'), '2147483646');
  const again = await lockDataDir(dir);
  expect(await readFile(join(dir, 'driver.lock'), 'utf8')).toBe(String(process.pid));
  await again();
});
