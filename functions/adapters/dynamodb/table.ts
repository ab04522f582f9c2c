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

export const keys = {
  link: (linkId: string) => ({ pk: `LINK#${linkId}`, sk: 'LINK' }),
  virtualDevices: (vendorUserId: string) => `VCLOUD#${vendorUserId}`,
  virtualHome: (vendorUserId: string) => ({ pk: `VCLOUD#${vendorUserId}`, sk: 'HOME' }),
  virtualDevice: (vendorUserId: string, deviceId: string) => ({
    pk: `VCLOUD#${vendorUserId}`,
    sk: `DEVICE#${deviceId}`,
  }),
};

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';
