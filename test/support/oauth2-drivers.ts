/** Two local drivers with the OAuth 2.0 server on: one signing people in at its own page (UserCenter), one at the vendor's (oidc-provider). */
import { type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';

export const REDIRECT = 'https://homebase.rokid.com/oauth/callback';
export const REGISTRATION = { clientId: 'homebase-rokid', clientSecret: 'a secret/with+symbols', redirectUri: REDIRECT };

const settings = (signIn: 'usercenter' | 'oauth') => ({
  HOMEBASE_CLIENT_ID: REGISTRATION.clientId,
  HOMEBASE_CLIENT_SECRET: REGISTRATION.clientSecret,
  HOMEBASE_REDIRECT_URIS: REDIRECT,
  HOMEBASE_SIGN_IN: signIn,
  REFRESH_INTERVAL_S: '3600',
});

export async function startOAuth2Drivers(): Promise<{ usercenter: LocalDriver; oidc: LocalDriver; close(): Promise<void> }> {
  const [usercenter, oidc] = await Promise.all([
    startLocalDriver({ port: 0, settings: settings('usercenter') }),
    startLocalDriver({ port: 0, settings: settings('oauth') }),
  ]);
  return { usercenter, oidc, close: async () => void (await Promise.all([usercenter.close(), oidc.close()])) };
}
