/**
 * The vendor's device cloud, stood in for where the assembly has `DEVICE_CLOUD=http`: lib/local/device-cloud-server.ts
 * (each user gets the demo home), taking what the vendor's cloud takes. A user's bearer token is checked with the
 * account service the driver signs users in at, as a vendor's cloud checks it: the UserCenter stand-in's
 * user-by-token call, or the OpenID provider's userinfo. The driver's service token (v2 JWT users, state reports)
 * names its user in X-Homebase-User-Id. Each accepted call is counted by the way it proved whose it is.
 */
import { requestJson } from '../../functions/adapters/http/request-json.ts';
import { isRecord } from '../../functions/domain/json.ts';
import { type Authenticate, type DeviceCloudServer, eitherOf, serviceToken, startDeviceCloud } from '../local/device-cloud-server.ts';

/** Where a bearer token is checked: the UserCenter stand-in, or an OpenID provider (known once it has started). */
export type AccountService = { userCenterUrl: string } | { oidcIssuer: () => string | undefined };

export interface DeviceCloudStandIn {
  server: DeviceCloudServer;
  /** Calls accepted with a user's bearer token, and with the driver's service token. */
  calls: { bearer: number; serviceToken: number };
}

export async function startDeviceCloudStandIn(options: {
  accountService: AccountService | undefined;
  serviceToken: string | undefined;
}): Promise<DeviceCloudStandIn> {
  const calls = { bearer: 0, serviceToken: 0 };
  const counted =
    (way: Authenticate, kind: keyof typeof calls): Authenticate =>
    async (...request) => {
      const user = await way(...request);
      if (user !== undefined) calls[kind]++;
      return user;
    };
  const ways: Authenticate[] = [];
  // The service token first: a JWT user's call carries no user token for the account service to look up.
  if (options.serviceToken) ways.push(counted(serviceToken(options.serviceToken), 'serviceToken'));
  if (options.accountService) ways.push(counted(bearerUser(options.accountService), 'bearer'));
  const server = await startDeviceCloud({ authenticate: eitherOf(...ways) });
  return { server, calls };
}

/** The user a bearer token belongs to, by the account service's word; undefined for any other answer. */
function bearerUser(service: AccountService): Authenticate {
  let userinfo: string | undefined;
  return async (authorization) => {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!token) return undefined;
    try {
      if ('userCenterUrl' in service) {
        const { body } = await requestJson(`${service.userCenterUrl}/user/getUserByToken`, {
          method: 'POST',
          body: { accessToken: token },
          timeoutMs: 2000,
        });
        // UserCenter's success is status 1, with the user as JSON in a string.
        if (!isRecord(body) || body['status'] !== 1 || typeof body['user'] !== 'string') return undefined;
        const user: unknown = JSON.parse(body['user']);
        return isRecord(user) && typeof user['userId'] === 'string' ? user['userId'] : undefined;
      }
      const issuer = service.oidcIssuer();
      if (!issuer) return undefined;
      if (!userinfo) {
        const { body: metadata } = await requestJson(`${issuer}/.well-known/openid-configuration`, { method: 'GET', timeoutMs: 2000 });
        const endpoint = isRecord(metadata) ? metadata['userinfo_endpoint'] : undefined;
        if (typeof endpoint !== 'string') return undefined;
        userinfo = endpoint;
      }
      const { status, body } = await requestJson(userinfo, {
        method: 'GET',
        headers: { authorization: `Bearer ${token}` },
        timeoutMs: 2000,
      });
      return status === 200 && isRecord(body) && typeof body['sub'] === 'string' ? body['sub'] : undefined;
    } catch {
      // The account service could not be asked: the call is refused, as a vendor's cloud would refuse it.
      return undefined;
    }
  };
}
