/**
 * The stateReports consumer's grant refresher, the one module it imports on its first 401 or 403 (state-reports.ts).
 * The client secret's module is imported here statically, not on first use as secret-setting.ts does: this chunk
 * loads on demand already, and the secret's reader takes along the whole signed-call chunk the handler loads at
 * import, where the token client alone would reach only its HTTP helpers and cut that chunk in two. For the same
 * reason the ARN-or-value choice is written here rather than taken from secret-setting.ts, which the handler loads
 * at import: shared with this chunk, it would become a file of its own (bundles.test.ts's budget says so).
 */
import { secretString } from '../adapters/secrets/secrets.ts';
import type { Config } from '../config.ts';
import type { GrantRenewer } from '../domain/events/ports.ts';
import { grantRefresher, type RefresherParts } from './grant-refresher.ts';

export function renewalRefresher(config: Config, parts: RefresherParts): GrantRenewer {
  const arn = config.ROKID_EVENTS_CLIENT_SECRET_ARN;
  const clientSecret = arn ? secretString(arn) : async () => config.ROKID_EVENTS_CLIENT_SECRET;
  return grantRefresher(config, parts, clientSecret).refresher;
}
