/**
 * What a link's upstream credentials become: the session a device cloud is given. What a grant is stored as:
 * ../refresh/refreshed-credentials.ts.
 */
import type { CloudSession, SessionCredentials } from '../ports.ts';
import type { Link, UpstreamCredentials } from './link.ts';

export const sessionOf = (link: Link): CloudSession => ({
  ...sessionFrom(link.vendorUserId, async () => link.credentials),
  linkId: link.linkId,
});

/** A session whose credentials are opened once, when first asked for. */
export function sessionFrom(vendorUserId: string, open: () => Promise<UpstreamCredentials>): CloudSession {
  let opened: Promise<SessionCredentials> | undefined;
  return {
    vendorUserId,
    credentials: () => {
      opened ??= open().then(sessionCredentials);
      return opened;
    },
  };
}

/**
 * A session for a user with no upstream token of theirs to hand (a v2 JWT user, a state report): the device cloud
 * is called with the driver's service credential, naming the user. Opened once, when first asked for.
 */
export function serviceSession(vendorUserId: string, serviceCredentials: (() => Promise<string>) | undefined): CloudSession {
  let opened: Promise<SessionCredentials> | undefined;
  return {
    vendorUserId,
    credentials: () => {
      if (!serviceCredentials) throw new Error('the device cloud asked for credentials where no service credential is configured');
      opened ??= serviceCredentials().then((accessToken) => ({ accessToken, actingFor: vendorUserId }));
      return opened;
    },
  };
}

function sessionCredentials({ accessToken, extra }: UpstreamCredentials): SessionCredentials {
  const type = typeof extra['token_type'] === 'string' ? extra['token_type'].toLowerCase() : undefined;
  if (type === 'mac' && typeof extra['mac_key'] === 'string') {
    const algorithm = typeof extra['mac_algorithm'] === 'string' ? extra['mac_algorithm'] : undefined;
    return { accessToken, mac: { key: extra['mac_key'], algorithm } };
  }
  return { accessToken };
}
