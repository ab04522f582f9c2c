/**
 * The playground's "at the wall" control: a change made at the device itself, which Rokid did not ask for. It is
 * made where the device lives (the virtual cloud's table, or the local http device cloud) and reported to the
 * driver's POST /device-events, signed, exactly as a vendor's device cloud reports one; the state report reaches
 * Rokid's stand-in by the queue, as deployed.
 */
import * as v from 'valibot';
import { VirtualDeviceCloud } from '../../../functions/adapters/device-cloud/virtual/virtual-cloud.ts';
import { tableOf } from '../../../functions/composition/table.ts';
import { tokenVault } from '../../../functions/composition/vault.ts';
import type { Config } from '../../../functions/config.ts';
import { DeviceService } from '../../../functions/domain/devices/device-service.ts';
import type { CloudSession } from '../../../functions/domain/ports.ts';
import { ActionSchema } from '../../../functions/domain/protocol/action.ts';
import type { State } from '../../../functions/domain/protocol/device.ts';
import { verifyRokidJwt } from '../../../functions/domain/v2/jwt-authorization.ts';
import type { DeviceCloudServer } from '../device-cloud-server.ts';
import { postDeviceEvents } from '../device-events-client.ts';

export interface AtDeviceContext {
  config: Config;
  driverUrl: string;
  deviceEventsSecret: string;
  /** The local http device cloud, where DEVICE_CLOUD=http. */
  deviceCloud: DeviceCloudServer | undefined;
}

/** The page's request, checked against the device model before anything is applied. */
export const AtDeviceSchema = v.object({
  authorization: v.object({ type: v.picklist(['BearerToken', 'JWT']), token: v.pipe(v.string(), v.nonEmpty()) }),
  deviceId: v.pipe(v.string(), v.nonEmpty()),
  action: ActionSchema,
});
export type AtDeviceRequest = v.InferOutput<typeof AtDeviceSchema>;

/** Where "at the wall" can work: a device cloud of this process, which can change a device and report it. */
export const changesAtDevice = (context: AtDeviceContext): boolean =>
  context.config.DEVICE_CLOUD === 'virtual' || context.deviceCloud !== undefined;

/** Answers the device's new state, and the driver's answer to the report (202 when it is queued). */
export async function changeAtDevice(context: AtDeviceContext, request: AtDeviceRequest): Promise<{ state: State; reported: number }> {
  const { config } = context;
  const vendorUserId = await vendorUserOf(config, request.authorization);
  if (config.DEVICE_CLOUD === 'http') {
    if (!context.deviceCloud)
      throw new Error('The device cloud is not the local one: change the device in it, and it reports to the driver.');
    const answer = await context.deviceCloud.changeAtDevice(vendorUserId, request.deviceId, request.action);
    return { state: answer.state, reported: answer.status };
  }
  const { db } = tableOf(config);
  const devices = new DeviceService({
    cloud: new VirtualDeviceCloud(db, config.TABLE_NAME),
    log: { warn: () => undefined, info: () => undefined },
  });
  const session: CloudSession = {
    vendorUserId,
    credentials: () => Promise.reject(new Error('the virtual cloud needs no credentials')),
  };
  const device = await devices.get(session, request.deviceId);
  const state = await devices.apply(session, device, request.action);
  const changed = Object.fromEntries(Object.entries(state).filter(([key, value]) => device.state[key as keyof State] !== value));
  const answer = await postDeviceEvents(context.driverUrl, context.deviceEventsSecret, [
    { userId: vendorUserId, deviceId: request.deviceId, type: 'changed', state: changed },
  ]);
  return { state: { ...device.state, ...state }, reported: answer.status };
}

/** Whose device: the link a driver token opens, or the vendor user a JWT names. */
async function vendorUserOf(config: Config, authorization: AtDeviceRequest['authorization']): Promise<string> {
  if (authorization.type === 'JWT') {
    return verifyRokidJwt(
      authorization.token,
      { appId: config.ROKID_JWT_APP_ID ?? '', appSecret: config.ROKID_JWT_APP_SECRET },
      Math.floor(Date.now() / 1000),
    ).userId;
  }
  const { links } = tableOf(config);
  const { link } = await tokenVault(config, links).authenticate({ userToken: authorization.token });
  return link.vendorUserId;
}
