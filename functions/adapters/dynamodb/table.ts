/**
 * The single table's layout, shared by the adapters, the local runner and the CDK stack so the three
 * cannot drift apart.
 *
 * | item            | pk                   | sk              |
 * |-----------------|----------------------|-----------------|
 * | link            | LINK#<linkId>        | LINK            |
 * | virtual device  | VCLOUD#<vendorUserId>| DEVICE#<id>     |
 * | virtual home    | VCLOUD#<vendorUserId>| HOME            |  (written once the demo home is complete)
 * | pending OAuth   | AUTHZ#<sha256(state)>| PENDING         |  (10 minutes, used once)
 * | driver code     | CODE#<sha256(code)>  | CODE            |  (5 minutes, used once)
 * | device token    | DEVTOKEN#<app>#<device>#<request> | TOKEN |  (seed 003, 5 minutes)
 *
 * The due index is sparse: a link is in it only while it carries `dueShard`, i.e. while it is active
 * and has a `refreshDueAt`. Its partitions are `due#0` … `due#<shards-1>`, so the refresh job's
 * writes and reads spread over several partitions instead of one hot key.
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

export const DUE_INDEX = {
  indexName: 'due',
  partitionKey: 'dueShard',
  sortKey: 'refreshDueAt',
  /** Fixed: changing it would strand links in shards the job no longer reads. */
  shards: 8,
} as const;

/** The due-index partition of a link. Link ids are random, so a character sum spreads them evenly. */
export function dueShard(linkId: string): string {
  let sum = 0;
  for (let i = 0; i < linkId.length; i++) sum += linkId.charCodeAt(i);
  return `due#${sum % DUE_INDEX.shards}`;
}

/** Epoch seconds after which DynamoDB may delete the item. DynamoDB deletes lazily, so readers check expiry themselves. */
export const TTL_ATTRIBUTE = 'ttl';

export const LINK_PREFIX = 'LINK#';

/** The partition holding one vendor user's virtual devices and home marker. */
const virtualCloud = (vendorUserId: string) => `VCLOUD#${vendorUserId}`;

export const keys = {
  link: (linkId: string) => ({ pk: `${LINK_PREFIX}${linkId}`, sk: 'LINK' }),
  virtualCloud,
  virtualHome: (vendorUserId: string) => ({ pk: virtualCloud(vendorUserId), sk: 'HOME' }),
  virtualDevice: (vendorUserId: string, deviceId: string) => ({ pk: virtualCloud(vendorUserId), sk: `DEVICE#${deviceId}` }),
  pendingAuthorization: (stateHash: string) => ({ pk: `AUTHZ#${stateHash}`, sk: 'PENDING' }),
  driverCode: (codeHash: string) => ({ pk: `CODE#${codeHash}`, sk: 'CODE' }),
  /** `key` is made of HMACs only: no username or address is stored in clear. */
  attempts: (key: string) => ({ pk: `ATTEMPT#${key}`, sk: 'COUNT' }),
  deviceToken: (appId: string, deviceId: string, requestId: string) => ({
    pk: `DEVTOKEN#${[appId, deviceId, requestId].map(encodeURIComponent).join('#')}`,
    sk: 'TOKEN',
  }),
};

export const isConditionFailure = (error: unknown): boolean => error instanceof Error && error.name === 'ConditionalCheckFailedException';
