/**
 * One `npm start` per data directory. The embedded engine's LevelDB cannot be opened twice, and a second
 * opener dies inside dynalite with "Database is closed" and a stack trace; so the directory is claimed
 * first, with a lock file naming the process that holds it. A lock left by a process that no longer
 * runs is taken over.
 */
import { chmod, mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `the data directory ${dataDir} is in use by another npm start (process ${pid}); stop that one, or set DATA_DIR to another directory`,
    );
    this.name = 'DataDirInUseError';
  }
}

export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  // Its owner's alone: it holds the master key, sealed credentials and the stand-ins' tokens. A directory an older
  // run created 0755 is closed too, which covers the files in it whatever their own modes.
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const lockFile = join(dataDir, 'driver.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockFile, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) throw new DataDirInUseError(dataDir, holder);
      await rm(lockFile, { force: true });
    }
  }
  throw new Error(`could not claim the data directory ${dataDir}`);
}

/** Whether a process runs: EPERM means it does, as another user. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
