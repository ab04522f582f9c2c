/**
 * What a running `npm start` tells the operator tools (`npm run links`): where its embedded DynamoDB
 * listens and the settings its handlers run with. The embedded engine's files cannot be opened twice,
 * and revoking needs the local account services, so the tools work through the running driver's.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ConfigInput, settingsIn } from '../../functions/config.ts';
import { isRunning } from './data-dir-lock.ts';

export interface RuntimeInfo {
  pid: number;
  url: string;
  dynamoEndpoint: string;
  /** The handlers' settings: local ones, with the local services' addresses and dev secrets. */
  settings: ConfigInput;
}

const fileIn = (dataDir: string) => join(dataDir, 'runtime.json');

/** Readable by its owner only: it holds the local services' client secrets. */
export async function writeRuntime(dataDir: string, info: RuntimeInfo): Promise<() => Promise<void>> {
  const path = fileIn(dataDir);
  // The settings and nothing else: whatever else a caller's object carries stays out of the file.
  await writeFile(path, JSON.stringify({ ...info, settings: settingsIn(info.settings) }), { mode: 0o600 });
  return () => rm(path, { force: true });
}

/** The running driver's info, or undefined when none runs on this data directory. */
export async function readRuntime(dataDir: string): Promise<RuntimeInfo | undefined> {
  let info: RuntimeInfo;
  try {
    info = JSON.parse(await readFile(fileIn(dataDir), 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
  // A driver that is gone may have left the file behind.
  return isRunning(info.pid) ? info : undefined;
}
