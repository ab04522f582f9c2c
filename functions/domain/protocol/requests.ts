/** The bodies Homebase POSTs to the driver. Homebase echoes back the whole stored userAuth, so extra keys are allowed there. */
import * as v from 'valibot';
import { ActionSchema } from './action.ts';

const text = v.pipe(v.string(), v.nonEmpty());

export const UserAuthSchema = v.looseObject({
  userId: v.optional(v.string()),
  userToken: text,
});
export type UserAuth = v.InferOutput<typeof UserAuthSchema>;

export const ListRequestSchema = v.object({ userAuth: UserAuthSchema });

export const ExecuteRequestSchema = v.object({
  device: v.object({
    deviceId: text,
    state: v.optional(v.nullable(v.record(v.string(), v.unknown()))),
    deviceInfo: v.optional(v.nullable(v.record(v.string(), v.unknown()))),
    userAuth: UserAuthSchema,
  }),
  action: ActionSchema,
});

/** rhome sends userAuth beside the device; older callers put it inside. Either is read. */
export const GetRequestSchema = v.pipe(
  v.object({
    device: v.object({ deviceId: text, userAuth: v.optional(UserAuthSchema) }),
    userAuth: v.optional(UserAuthSchema),
  }),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const userAuth = dataset.value.userAuth ?? dataset.value.device.userAuth;
    if (!userAuth) {
      addIssue({ message: 'expected userAuth beside the device or inside it', path: undefined });
      return NEVER;
    }
    return { deviceId: dataset.value.device.deviceId, userAuth };
  }),
);

export const CommandRequestSchema = v.object({
  command: v.pipe(v.string(), v.nonEmpty()),
  params: v.optional(v.record(v.string(), v.unknown()), {}),
});
