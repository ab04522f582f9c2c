/**
 * The command function's OAuth half: the `OAuth` and `OAuthGetToken` commands, the browser routes (GET /oauth/*,
 * /device_oauth/*) and the driver's OAuth 2.0 server (/oauth2/*), built over linking.ts's base on first use.
 * One module, imported on the first of them (linking.ts's `oauthLinking`): a `login` loads none of it, and each
 * module loaded on demand apart would split what it shares with the handler into more files to load at import
 * (docs/performance.md). The price: the first OAuth command loads the OAuth 2.0 server's modules too.
 */
import { DynamoAuthorizationStore } from '../adapters/dynamodb/authorization-store.ts';
import type { CommandHandler } from '../domain/commands.ts';
import { DriverError } from '../domain/errors.ts';
import { EXPIRED_SIGN_IN } from '../domain/linking/browser-answer.ts';
import { DeviceOAuth } from '../domain/linking/device-oauth.ts';
import { HomebaseOAuth, oauthCommands } from '../domain/linking/homebase-oauth.ts';
import { OAuthCallback, type UpstreamSignInCompletion } from '../domain/linking/oauth-callback.ts';
import { PendingStates } from '../domain/linking/pending-states.ts';
import { UpstreamLinker } from '../domain/linking/upstream-linker.ts';
import { UpstreamSignIn } from '../domain/linking/upstream-sign-in.ts';
import { type OAuthUpstream, systemClock } from '../domain/ports.ts';
import { type BrowserFlows, oauthBrowserRoutes } from '../http/oauth-browser-routes.ts';
import { oauth2Handler } from '../http/oauth2-handler.ts';
import { logger, upstreamMetrics } from '../observability.ts';
import { authorizationServer } from './authorization-server.ts';
import type { LinkingBase, LinkingParts } from './linking-parts.ts';

export interface OAuthFlows extends BrowserFlows {
  /** What the OAuth 2.0 server (authorization-server.ts) is built on. */
  parts: LinkingParts;
}

const built = new WeakMap<LinkingBase, OAuthFlows>();

/** The flows over one base, built once: a build that throws is not kept, as once.ts does. */
function oauthFlows(base: LinkingBase): OAuthFlows {
  let flows = built.get(base);
  if (!flows) {
    flows = build(base);
    built.set(base, flows);
  }
  return flows;
}

/** One of the commands linking.ts offers where `offersHomebaseOAuth`: where build() makes the flow. */
export function oauthCommand(base: LinkingBase, name: 'OAuth' | 'OAuthGetToken'): CommandHandler {
  const { homebaseOAuth } = oauthFlows(base);
  // linking.ts offers these commands only where build() makes the flow; this narrows the type, and says why if not.
  if (!homebaseOAuth) throw new DriverError(`The ${name} command needs an OAuth upstream (OAUTH_CLIENT_ID) and PUBLIC_BASE_URL.`);
  return oauthCommands(homebaseOAuth)[name];
}

/** GET /oauth/* and /device_oauth/*; `base` is asked on each request (oauth-browser-routes.ts says why). */
export const oauthBrowser = (base: () => LinkingBase) =>
  oauthBrowserRoutes(
    () => oauthFlows(base()),
    // Cookies are marked Secure behind https, as the OAuth 2.0 server's are.
    () => (base().config.PUBLIC_BASE_URL ?? '').startsWith('https://'),
  );

/** /.well-known/oauth-authorization-server and /oauth2/*; the server is undefined (not configured) without HOMEBASE_CLIENT_ID. */
export const oauth2Routes = (base: () => LinkingBase) => oauth2Handler(() => authorizationServer(oauthFlows(base()).parts));

function build(base: LinkingBase): OAuthFlows {
  const { config, db, cipher, vault, limits, upstreams } = base;
  const publicBaseUrl = config.PUBLIC_BASE_URL;
  const oauth = upstreams.oauth;
  const upstream: OAuthUpstream | undefined = oauth && {
    authorizationUrl: async (request) => (await oauth()).authorizationUrl(request),
    exchange: async (request) => (await oauth()).exchange(request),
  };
  const store = new DynamoAuthorizationStore(db, config.TABLE_NAME, cipher);
  const states = new PendingStates({ cipher, store, clock: systemClock });
  const signIn = upstream && new UpstreamSignIn({ upstream, states });
  const linker =
    signIn && publicBaseUrl ? new UpstreamLinker({ signIn, vault, log: logger, metrics: upstreamMetrics, publicBaseUrl }) : undefined;
  // The linker exists exactly where `offersHomebaseOAuth` holds (an OAuth upstream and PUBLIC_BASE_URL): the rule
  // linking.ts offers the commands by. `publicBaseUrl` again only narrows its type.
  const homebaseOAuth =
    linker && publicBaseUrl
      ? new HomebaseOAuth({
          linker,
          store,
          vault,
          clock: systemClock,
          settings: {
            publicBaseUrl,
            allowedCallbacks: { origins: config.CALLBACK_ALLOWED_ORIGINS, uris: config.CALLBACK_ALLOWED_URIS },
            mode: config.OAUTH_CALLBACK_MODE,
          },
        })
      : undefined;
  const deviceOAuth =
    signIn && publicBaseUrl && config.DEVICE_OAUTH === 'on' && config.OAUTH_CLIENT_ID
      ? new DeviceOAuth({ signIn, store, clock: systemClock, appId: config.OAUTH_CLIENT_ID, publicBaseUrl, limits })
      : undefined;

  const parts: LinkingParts = { ...base, store, states, linker };
  // A sign-in the OAuth 2.0 server began may come back to a container that has not served /oauth2/* yet.
  const server: UpstreamSignInCompletion = {
    completeUpstream: async (query, pending) => {
      const oauth2 = authorizationServer(parts);
      return oauth2 ? oauth2.authorize.completeUpstream(query, pending) : EXPIRED_SIGN_IN;
    },
  };
  const oauthCallback = signIn && new OAuthCallback({ signIn, homebase: homebaseOAuth, server });
  return { homebaseOAuth, oauthCallback, deviceOAuth, parts };
}
