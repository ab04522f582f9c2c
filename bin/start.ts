/**
 * `npm start`: the driver on http://127.0.0.1:$PORT with an embedded DynamoDB, the UserCenter
 * stand-in and the virtual device cloud (or, with DEVICE_CLOUD=http and DEVICE_CLOUD_URL, yours). No AWS account, no Docker.
 */
import type { AccessRecord } from '../lib/local/api-gateway.ts';

const port = Number(process.env['PORT'] ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number from 0 to 65535, not "${process.env['PORT']}".`);
  process.exit(1);
}
const dataDir = process.env['DATA_DIR'] ?? '.data';
// Everything this process creates is its owner's alone: the data directory holds the master key, sealed
// credentials and the stand-ins' tokens, and the embedded engine's files are created where no mode can be passed.
process.umask(0o077);
const upstreamStyle = process.env['LOCAL_UPSTREAM_STYLE'] ?? 'oidc';
if (upstreamStyle !== 'oidc' && upstreamStyle !== 'xiaomi') {
  console.error(`LOCAL_UPSTREAM_STYLE must be oidc or xiaomi, not "${upstreamStyle}".`);
  process.exit(1);
}

// A person reads npm start's output: one short line per request, unless LOCAL_LOG_FORMAT=json asks for the
// handlers' own JSON lines, as deployed. Set before the handlers load, since the logger reads it as it loads.
const logFormat = process.env['LOCAL_LOG_FORMAT'] ?? 'access';
if (logFormat !== 'access' && logFormat !== 'json') {
  console.error(`LOCAL_LOG_FORMAT must be access or json, not "${logFormat}".`);
  process.exit(1);
}
if (logFormat === 'access') process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';
const { startLocalDriver } = await import('../lib/local/driver.ts');
const { readyBanner } = await import('../lib/local/banner.ts');

// A 200 that carries a refusal says so: `POST /execute 200 E_DRIVER_SIGN_ERROR 3 ms`.
const accessLine = ({ method, path, status, outcome, ms }: AccessRecord) =>
  console.log(`${new Date().toISOString().slice(11, 19)} ${method} ${path} ${status}${outcome ? ` ${outcome}` : ''} ${Math.round(ms)} ms`);

let driver: Awaited<ReturnType<typeof startLocalDriver>>;
try {
  driver = await startLocalDriver({ port, dataDir, upstreamStyle, ...(logFormat === 'access' ? { onAnswer: accessLine } : {}) });
} catch (error) {
  // The reason only: a person reads this, and a stack trace would hide it.
  const reason =
    (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? `port ${port} is in use; set PORT`
      : error instanceof Error
        ? error.message
        : String(error);
  console.error(`homebase-driver could not start: ${reason}`);
  process.exit(1);
}

// Ready for Ctrl-C before saying so: whoever reads the ready line may stop it at once.
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await driver.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

console.log(readyBanner(driver, dataDir));
