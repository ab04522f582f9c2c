/**
 * What /command is built from: `login` and the refresh commands over the vault, built at import. The OAuth linking
 * flows (oauth-linking.ts) are built over the same base on first use, and their modules loaded then: a cold `login`
 * never loads them.
 */
import { DynamoAttemptStore } from '../adapters/dynamodb/attempt-store.ts';
import type { ConfigSource } from '../config.ts';
import { type CommandHandler, commandRouter } from '../domain/commands.ts';
import { AttemptLimits } from '../domain/limits/attempt-limits.ts';
import { loginCommand, PasswordLogin } from '../domain/linking/password-login.ts';
import { refreshCommands } from '../domain/linking/refresh-command.ts';
import { type PasswordUpstream, systemClock } from '../domain/ports.ts';
import { signInMetrics } from '../observability.ts';
import { attemptKeyHmac, attemptLimitSettings } from './attempt-key.ts';
import { type LinkingBase, offersHomebaseOAuth } from './linking-parts.ts';
import { once } from './once.ts';
import { tableOf } from './table.ts';
import { upstreams } from './upstreams.ts';
import { tokenVault } from './vault.ts';

export interface LinkingServices {
  command: ReturnType<typeof commandRouter>;
  /** What the OAuth flows (oauth-linking.ts) are built on. */
  base: LinkingBase;
  /** What a first sign-in needs besides the round trips the build starts: the UserCenter client and its module. */
  warm(): Promise<unknown>;
}

/**
 * The OAuth flows' module, on the first OAuth command, browser route or OAuth 2.0 request. One module, so that
 * its modules load as one chunk (composition/event-grants.ts does the same for the directive function).
 */
export const oauthLinking = () => import('./oauth-linking.ts');

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
    const { userCenter } = clients;

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
    const base: LinkingBase = { config, db, cipher, links, vault, limits, passwordLogin, upstreams: clients };

    const commands: Record<string, CommandHandler> = {
      ...(login ? { login, Login: login } : {}),
      // The flow loads on the first call (oauth-linking.ts); whether it is offered needs none of it.
      ...(offersHomebaseOAuth(base) ? { OAuth: lazyOAuth(base, 'OAuth'), OAuthGetToken: lazyOAuth(base, 'OAuthGetToken') } : {}),
      ...refreshCommands(vault),
    };
    const warm = async () => userCenter?.();
    return { command: commandRouter(commands), base, warm };
  });

/** An OAuth command that loads its flow when called. */
const lazyOAuth =
  (base: LinkingBase, name: 'OAuth' | 'OAuthGetToken'): CommandHandler =>
  async (params, context) =>
    (await oauthLinking()).oauthCommand(base, name)(params, context);
