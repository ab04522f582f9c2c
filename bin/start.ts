/**
 * `npm start`: the driver on http://127.0.0.1:$PORT with an embedded DynamoDB, the UserCenter
 * stand-in and the virtual device cloud. No AWS account, no Docker.
 */
import { execFileSync } from 'node:child_process';
import type { AccessRecord } from '../lib/local/api-gateway.ts';

const port = Number(process.env['PORT'] ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number from 0 to 65535, not "${process.env['PORT']}".`);
  process.exit(1);
}
const dataDir = process.env['DATA_DIR'] ?? '.data';
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
const { DEMO_ACCOUNT } = await import('../lib/local/usercenter-server.ts');

const accessLine = ({ method, path, status, ms }: AccessRecord) =>
  console.log(`${new Date().toISOString().slice(11, 19)} ${method} ${path} ${status} ${Math.round(ms)} ms`);

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

const { url } = driver;
const login = JSON.stringify({ command: 'login', params: { username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password } });
const oauthLink = `curl -s ${url}/command -H 'content-type: application/json' \\
    -d '{"command":"OAuth","params":{"callbackURL":"${url}/local/callback"}}'`;
const tryIt = driver.xiaomiServer
  ? `The OAuth upstream is in the shape of Xiaomi's account OAuth (${driver.oauthIssuer}), and the devices come from a
cloud that takes MAC-signed requests only. Link as Homebase would: ask for the authorization URL, open it in a
browser and sign in as demo / homebase:

  ${oauthLink}`
  : `Try it. Log in as the demo user, then list devices with the userId and userToken it returns:

  curl -s ${url}/command -H 'content-type: application/json' -d '${login}'

  curl -s ${url}/list -H 'content-type: application/json' \\
    -d '{"userAuth":{"userId":"<userId>","userToken":"<userToken>"}}'

Or link over OAuth as Homebase would: ask for the authorization URL, open it in a browser and sign
in as demo / homebase at the local authorization server (${driver.oauthIssuer}):

  ${oauthLink}`;
const { HOMEBASE_CLIENT_ID: clientId, HOMEBASE_CLIENT_SECRET: clientSecret } = driver.config;
const authorize = `${url}/oauth2/authorize?response_type=code&client_id=${encodeURIComponent(clientId ?? '')}&state=try-it&redirect_uri=${encodeURIComponent(`${url}/local/oauth2-callback`)}`;
const oauth2 = clientId
  ? `

Or link over standard OAuth 2.0, as Rokid recommends (Homebase is the client). The server's metadata:

  ${url}/.well-known/oauth-authorization-server

The local client is ${clientId}, secret ${clientSecret || '(from HOMEBASE_CLIENT_SECRET_ARN)'}. The secret is printed here
only, for pasting where a client secret is asked for (the token request on the callback page); no page shows it.
Open this in a browser:

  ${authorize}`
  : '';
const { ROKID_JWT_APP_ID: jwtAppId, ROKID_JWT_APP_SECRET: jwtAppSecret } = driver.config;
const v2 = `

v2 (若琪智能家居协议): every message goes to ${url}/v2, with a driver access token as its BearerToken, or a
JWT signed as Rokid signs it: HS256 over {"userId", "appId": "${jwtAppId ?? ''}"} with the appSecret ${jwtAppSecret || '(from ROKID_JWT_APP_SECRET_ARN)'}.
Check it with: npm run conformance -- ${url} --protocol v2 --bearer <userToken>`;
const events = driver.events
  ? `

State reports: Rokid's token endpoint and EventGateway are stood in for at ${driver.events.rokid?.url ?? '(ROKID_* settings)'}, and SQS at ${driver.events.sqs.endpoint}.
A device cloud reports changes to ${url}/device-events, signed with DEVICE_EVENTS_SECRET ${driver.events.deviceEventsSecret}.`
  : '';
const playground = driver.playground
  ? `Open ${url}/ in a browser for the playground: sign in, control the demo home, watch the protocol.\n\n`
  : '';
console.log(`homebase-driver ready at ${url} (data in ${dataDir}, UserCenter at ${driver.userCenterUrl})

${playground}${tryIt}${oauth2}${v2}${events}

Upstream tokens are refreshed every ${driver.config.REFRESH_INTERVAL_S} s by the same job the deployed schedule runs.

${cjkFontHint()}Each request is logged as one line (LOCAL_LOG_FORMAT=json for the handlers' JSON logs, as deployed).
Press Ctrl-C to stop.`);

/**
 * The demo home's names are Chinese: without a CJK font a browser draws them as boxes. Debian and Ubuntu
 * have fc-list; where it is missing (macOS, Windows) a CJK font comes with the system.
 */
function cjkFontHint(): string {
  try {
    if (execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '') return '';
  } catch {
    return '';
  }
  return "No Chinese font is installed, so the demo home's names show as boxes: apt-get install fonts-wqy-zenhei (or fonts-noto-cjk).\n\n";
}
