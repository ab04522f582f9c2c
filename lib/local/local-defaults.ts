/**
 * What `npm start` turns on by itself, as Rokid's console and Homebase would be set up for it: the OAuth 2.0
 * server's client, v2's JWT authorization and state reports. Each is on unless a setting turns it off, or it could
 * not work: on the http device cloud, a JWT user's call and a state report's read name the user with the
 * service token, so without DEVICE_CLOUD_SERVICE_TOKEN both stay off and `npm start` still starts.
 */
import { randomBytes } from 'node:crypto';
import { type ConfigInput, HOMEBASE_REDIRECT_URI } from '../../functions/config.ts';
import { playgroundRedirectUri } from './playground/playground.ts';

/** The JWT appId of the local stand-in for Rokid's console (v2). */
export const LOCAL_JWT_APP_ID = 'rokid-local-app';

/** The client id of the local stand-in for Homebase at the OAuth 2.0 server. */
export const LOCAL_CLIENT_ID = 'rokid-homebase-local';

/** What a feature that is off needs to be on: the setting to give, and why. Undefined when it is on. */
export type OffReason = string | undefined;

export const SERVICE_TOKEN_NEEDED =
  'set DEVICE_CLOUD_SERVICE_TOKEN, a secret you choose and give your device cloud too (docs/device-cloud.md): it names the user on calls made without their token';

const serviceTokenGiven = (settings: ConfigInput) =>
  settings.DEVICE_CLOUD !== 'http' || Boolean(settings.DEVICE_CLOUD_SERVICE_TOKEN) || settings.DEVICE_CLOUD_SERVICE_TOKEN_ARN !== undefined;

/** The OAuth 2.0 server's client standing in for Homebase: a secret for this run, and local pages to come back to. */
export function homebaseClientDefaults(settings: ConfigInput & { PUBLIC_BASE_URL: string }, playground: boolean): void {
  if (settings.HOMEBASE_CLIENT_ID !== undefined) return;
  settings.HOMEBASE_CLIENT_ID = LOCAL_CLIENT_ID;
  settings.HOMEBASE_CLIENT_SECRET ??= randomBytes(24).toString('base64url');
  const redirects = [HOMEBASE_REDIRECT_URI, `${settings.PUBLIC_BASE_URL}/local/oauth2-callback`];
  if (playground) redirects.push(playgroundRedirectUri(settings.PUBLIC_BASE_URL));
  settings.HOMEBASE_REDIRECT_URIS ??= redirects.join(',');
  // Both upstreams run locally; the driver's own sign-in page is the one to see.
  settings.HOMEBASE_SIGN_IN ??= 'usercenter';
}

/**
 * v2's JWT authorization: an appId and a secret of this run (npm start prints both, for rhome and the playground).
 * An empty ROKID_JWT_APP_ID turns it off.
 */
export function jwtDefaults(settings: ConfigInput): OffReason {
  if (settings.ROKID_JWT_APP_ID === '') {
    delete settings.ROKID_JWT_APP_ID;
    return 'ROKID_JWT_APP_ID is empty; unset it to turn JWT on';
  }
  if (settings.ROKID_JWT_APP_ID !== undefined) return undefined;
  if (!serviceTokenGiven(settings)) return SERVICE_TOKEN_NEEDED;
  settings.ROKID_JWT_APP_ID = LOCAL_JWT_APP_ID;
  settings.ROKID_JWT_APP_SECRET ||= randomBytes(24).toString('base64url');
  return undefined;
}

/** State reports' setting (LOCAL_EVENTS): `on` by default where they can work, and why they are off when they are. */
export function eventsSetting(settings: ConfigInput, requested: string | undefined): { setting: string; off: OffReason } {
  if (requested === 'off') return { setting: 'off', off: 'LOCAL_EVENTS=off; unset it to turn them on' };
  if (requested === undefined && settings.ROKID_EVENTS_CLIENT_ID === undefined && !serviceTokenGiven(settings)) {
    return { setting: 'off', off: SERVICE_TOKEN_NEEDED };
  }
  if (requested === 'on' && !serviceTokenGiven(settings)) {
    throw new Error(
      'LOCAL_EVENTS=on with DEVICE_CLOUD=http needs DEVICE_CLOUD_SERVICE_TOKEN: a state report reads the device with no user request to hand.',
    );
  }
  return { setting: requested ?? 'on', off: undefined };
}
