/**
 * What `npm start` prints once it is ready: where it runs, the device cloud in use, what it turned on and what is
 * off (with the one setting each needs), and copy-paste examples for what is on.
 */
import { execFileSync } from 'node:child_process';
import type { LocalDriver } from './driver.ts';
import { DEMO_ACCOUNT } from './usercenter-server.ts';

/** The device cloud in use, named as a person would look for it. */
export function cloudInUse(driver: LocalDriver): string {
  if (driver.config.DEVICE_CLOUD === 'virtual') return "the virtual device cloud (the demo home, kept in the driver's table)";
  if (driver.deviceCloud) return `npm start's own http device cloud at ${driver.deviceCloud.url} (the demo home; MAC-signed requests)`;
  return `your device cloud at ${driver.config.DEVICE_CLOUD_URL} (DEVICE_CLOUD=http)`;
}

/** One line per feature: on, or off with what turns it on. */
export function featureLines(driver: LocalDriver): string {
  const state = (off: string | undefined) => (off === undefined ? 'on' : `off (${off})`);
  return [
    `Devices: ${cloudInUse(driver)}.`,
    'v1, and v2 with a driver access token as BearerToken: on.',
    `v2 JWT authorization: ${state(driver.off.jwt)}.`,
    `State reports: ${state(driver.off.stateReports)}.`,
  ].join('\n');
}

export function readyBanner(driver: LocalDriver, dataDir: string): string {
  const { url } = driver;
  const ownHome = driver.config.DEVICE_CLOUD === 'virtual' || driver.deviceCloud !== undefined;
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
  const jwt = jwtAppId
    ? `, or a
JWT signed as Rokid signs it: HS256 over {"userId", "appId": "${jwtAppId}"} with the appSecret ${jwtAppSecret || '(from ROKID_JWT_APP_SECRET_ARN)'}`
    : '';
  const v2 = `

v2 (若琪智能家居协议): every message goes to ${url}/v2, with a driver access token as its BearerToken${jwt}.
Check it with: CONFORMANCE_BEARER=<userToken> npm run conformance -- ${url} --protocol v2`;
  const events = driver.events
    ? `

State reports: Rokid's token endpoint and EventGateway are stood in for at ${driver.events.rokid?.url ?? '(ROKID_* settings)'}, and SQS at ${driver.events.sqs.endpoint}.
A device cloud reports changes to ${url}/device-events, signed with DEVICE_EVENTS_SECRET ${driver.events.deviceEventsSecret}.`
    : '';
  const playground = driver.playground
    ? `Open ${url}/ in a browser for the playground: sign in, control ${ownHome ? 'the demo home' : 'the devices your cloud lists'}, watch the protocol.\n\n`
    : '';
  return `homebase-driver ready at ${url} (data in ${dataDir}, UserCenter at ${driver.userCenterUrl})

${featureLines(driver)}

${playground}${tryIt}${oauth2}${v2}${events}

Upstream tokens are refreshed every ${driver.config.REFRESH_INTERVAL_S} s by the same job the deployed schedule runs.

${cjkFontHint()}Each request is logged as one line (LOCAL_LOG_FORMAT=json for the handlers' JSON logs, as deployed).
Press Ctrl-C to stop.`;
}

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
