import * as v from 'valibot';
import { parseOrThrow } from '../protocol/validation.ts';
import type { TokenVault } from '../vault/token-vault.ts';

export const OAuthRefreshParamsSchema = v.object({
  userId: v.optional(v.union([v.string(), v.number()])),
  userToken: v.optional(v.string()),
  refreshToken: v.pipe(v.string(), v.nonEmpty(), v.maxLength(512)),
});

/** `OAuthRefresh` rotates the driver's tokens of any link, however it was made. */
export const refreshCommands = (vault: TokenVault) => {
  const refresh = async (params: Record<string, unknown>) => {
    const { userId, refreshToken } = parseOrThrow(OAuthRefreshParamsSchema, params, 'OAuthRefresh command', { prefix: 'params' });
    return vault.rotate({ userId: userId === undefined ? undefined : String(userId), refreshToken });
  };
  // `refreshToken` is the name a production driver (homebase-driver-hass) uses for the same command.
  return { OAuthRefresh: refresh, refreshToken: refresh };
};
