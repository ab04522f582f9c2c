/**
 * The single table's layout, shared by the adapters, the local runner and the CDK stack so the three
 * cannot drift apart.
 *
 * | item            | pk                   | sk              |
 * |-----------------|----------------------|-----------------|
 * | link            | LINK#<linkId>        | LINK            |
 * | virtual device  | VCLOUD#<vendorUserId>| DEVICE#<id>     |
 * | virtual home    | VCLOUD#<vendorUserId>| HOME            |  (written once the demo home is complete)
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Epoch seconds after which DynamoDB may delete the item. DynamoDB deletes lazily, so readers check expiry themselves. */
export const TTL_ATTRIBUTE = 'ttl';

/** The partition holding one vendor user's virtual devices and home marker. */
const virtualCloud = (vendorUserId: string) => `VCLOUD#${vendorUserId}`;

export const keys = {
  link: (linkId: string) => ({ pk: `LINK#${linkId}`, sk: 'LINK' }),
  virtualCloud,
  virtualHome: (vendorUserId: string) => ({ pk: virtualCloud(vendorUserId), sk: 'HOME' }),
  virtualDevice: (vendorUserId: string, deviceId: string) => ({ pk: virtualCloud(vendorUserId), sk: `DEVICE#${deviceId}` }),
};

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';
