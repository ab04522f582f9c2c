/** What /command and the OAuth browser routes are built from: the linking flows over the vault. */
import { DynamoAttemptStore } from '../adapters/dynamodb/attempt-store.ts';
import { DynamoAuthorizationStore } from '../adapters/dynamodb/authorization-store.ts';
import type { ConfigSource } from '../config.ts';
import { type CommandHandler, commandRouter } from '../domain/commands.ts';
import { AttemptLimits } from '../domain/limits/attempt-limits.ts';
import { EXPIRED_SIGN_IN } from '../domain/linking/browser-answer.ts';
import { DeviceOAuth } from '../domain/linking/device-oauth.ts';
import { HomebaseOAuth, oauthCommands } from '../domain/linking/homebase-oauth.ts';
import { OAuthCallback, type UpstreamSignInCompletion } from '../domain/linking/oauth-callback.ts';
import { loginCommand, PasswordLogin } from '../domain/linking/password-login.ts';
import { PendingStates } from '../domain/linking/pending-states.ts';
import { refreshCommands } from '../domain/linking/refresh-command.ts';
import { UpstreamLinker } from '../domain/linking/upstream-linker.ts';
import { UpstreamSignIn } from '../domain/linking/upstream-sign-in.ts';
import { type OAuthUpstream, type PasswordUpstream, systemClock } from '../domain/ports.ts';
import { logger, signInMetrics, upstreamMetrics } from '../observability.ts';
import { attemptKeyHmac, attemptLimitSettings } from './attempt-key.ts';
import type { LinkingParts } from './linking-parts.ts';
import { once } from './once.ts';
import { tableOf, tokenVault } from './table.ts';
import { upstreams } from './upstreams.ts';

export interface LinkingServices {
  command: ReturnType<typeof commandRouter>;
  /** The OAuth flow's browser side; absent unless an OAuth upstream and PUBLIC_BASE_URL are configured. */
  homebaseOAuth: HomebaseOAuth | undefined;
  /** GET /oauth/callback, for the command flow and the OAuth 2.0 server alike. */
  oauthCallback: OAuthCallback | undefined;
  /** Seed 003's callback service; absent unless DEVICE_OAUTH=on. */
  deviceOAuth: DeviceOAuth | undefined;
  /** What the OAuth 2.0 server (composition/authorization-server.ts) is built on. */
  shared: LinkingParts;
  /** What a first sign-in needs besides the round trips the build starts: the UserCenter client and its module. */
  warm(): Promise<unknown>;
}

export const linkingServices = (source: ConfigSource) =>
  once((): LinkingServices => {
    const config = source();
    const { db, links, cipher } = tableOf(config);
    // A sign-in needs a data key to seal the new link, and deployed, the attempt-limit key and the
    // UserCenter credentials: the first request asks for them all at once, not one after another.
    cipher.warm?.();
    // Attempts are counted only where a password is checked (UserCenter) or seed 003's token is queried;
    // elsewhere the stack grants no read of the key, so it is not asked for.
    const countsAttempts = config.USERCENTER_URL !== undefined || config.DEVICE_OAUTH === 'on';
    const secretIds = [
      countsAttempts ? config.LOGIN_LIMIT_KEY_ARN : undefined,
      config.USERCENTER_URL ? config.USERCENTER_CREDENTIALS_ARN : undefined,
    ];
    // Imported as every reader of a secret does: a static import here split the command bundle's first load into four
    // more chunks, each about half a millisecond of a cold start (docs/performance.md).
    if (secretIds.some(Boolean)) void import('../adapters/secrets/secrets.ts').then(({ preload }) => preload(secretIds));
    const vault = tokenVault(config, links);
    const clients = upstreams(config);
    const { userCenter, oauth } = clients;

    // Password login exists only where there is a UserCenter to sign in at.
    const passwords: PasswordUpstream | undefined = userCenter && {
      tokenByPassword: async (username, password) => (await userCenter()).tokenByPassword(username, password),
      tokenByValidateCode: async (username, code) => (await userCenter()).tokenByValidateCode(username, code),
      userIdOf: async (accessToken) => (await userCenter()).userIdOf(accessToken),
    };
    const limits = new AttemptLimits({
      store: new DynamoAttemptStore(db, config.TABLE_NAME),
      clock: systemClock,
      settings: attemptLimitSettings(config),
      hmac: attemptKeyHmac(config),
      metrics: signInMetrics,
    });
    const passwordLogin = passwords ? new PasswordLogin({ upstream: passwords, vault, limits }) : undefined;
    const login = passwordLogin ? loginCommand(passwordLogin) : undefined;

    const publicBaseUrl = config.PUBLIC_BASE_URL;
    const authorizationServer: OAuthUpstream | undefined = oauth && {
      authorizationUrl: async (request) => (await oauth()).authorizationUrl(request),
      exchange: async (request) => (await oauth()).exchange(request),
    };
    const store = new DynamoAuthorizationStore(db, config.TABLE_NAME, cipher);
    const states = new PendingStates({ cipher, store, clock: systemClock });
    const signIn = authorizationServer && new UpstreamSignIn({ upstream: authorizationServer, states });
    const linker =
      signIn && publicBaseUrl ? new UpstreamLinker({ signIn, vault, log: logger, metrics: upstreamMetrics, publicBaseUrl }) : undefined;
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

    const commands: Record<string, CommandHandler> = {
      ...(login ? { login, Login: login } : {}),
      ...(homebaseOAuth ? oauthCommands(homebaseOAuth) : {}),
      ...refreshCommands(vault),
    };
    const shared: LinkingParts = { config, links, store, states, vault, linker, passwordLogin, upstreams: clients };
    // A sign-in the OAuth 2.0 server began may come back to a container that has not built it yet.
    const server: UpstreamSignInCompletion = {
      completeUpstream: async (query, pending) => {
        const built = (await import('./authorization-server.ts')).authorizationServer(shared);
        return built ? built.authorize.completeUpstream(query, pending) : EXPIRED_SIGN_IN;
      },
    };
    const oauthCallback = signIn && new OAuthCallback({ signIn, homebase: homebaseOAuth, server });
    const warm = async () => userCenter?.();
    return { command: commandRouter(commands), homebaseOAuth, oauthCallback, deviceOAuth, shared, warm };
  });
