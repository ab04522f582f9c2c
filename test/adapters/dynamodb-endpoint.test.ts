/**
 * The plain DynamoDB endpoint (functions/adapters/dynamodb/endpoint.ts) answers as the SDK's rules engine does,
 * for every region of every partition the SDK knows, and hands every case it does not know to the engine.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { documentClient, UNUSED_MIDDLEWARE } from '../../functions/adapters/dynamodb/client.ts';
import { plainEndpoint, withPlainEndpoint } from '../../functions/adapters/dynamodb/endpoint.ts';
import { testTable } from '../support/dynamodb.ts';

type Params = Parameters<DynamoDBClient['config']['endpointProvider']>[0];
const sdk = new DynamoDBClient({ region: 'us-east-1' }).config.endpointProvider;

/**
 * Every region named in the SDK's partition table, each with its partition. Read from @aws-sdk/core's built file (the
 * table is not exported): an SDK upgrade that moves it fails here loudly, and this path is the one to update.
 */
function knownRegions(): { region: string; partition: string }[] {
  const core = dirname(createRequire(import.meta.url).resolve('@aws-sdk/core/package.json'));
  const table = readFileSync(join(core, 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js'), 'utf8');
  const info = JSON.parse(table.slice(table.indexOf('{'), table.lastIndexOf('}') + 1)) as {
    partitions: { id: string; regions: Record<string, unknown> }[];
  };
  return info.partitions.flatMap(({ id, regions }) => Object.keys(regions).map((region) => ({ region, partition: id })));
}

/** The engine's answer, or the message it refused with. */
const engine = (params: Params) => {
  try {
    const { url, properties } = sdk(params);
    return { url: url.href, properties };
  } catch (error) {
    return { refused: (error as Error).message };
  }
};

const product = <T extends Record<string, unknown[]>>(axes: T): { [K in keyof T]: T[K][number] }[] =>
  Object.entries(axes).reduce<Record<string, unknown>[]>(
    (rows, [key, values]) => rows.flatMap((row) => values.map((value) => ({ ...row, [key]: value }))),
    [{}],
  ) as { [K in keyof T]: T[K][number] }[];

describe('plainEndpoint', () => {
  const regions = knownRegions();

  it('knows the partitions the engine knows, and answers for every commercial region', () => {
    expect(new Set(regions.map((r) => r.partition))).toContain('aws-cn');
    // aws-global is a name for signing, not a region: the engine answers it.
    const commercial = regions.filter((r) => r.partition === 'aws' && r.region !== 'aws-global');
    expect(commercial.length).toBeGreaterThan(30);
    for (const { region } of commercial) {
      const params = { Region: region, UseFIPS: false, UseDualStack: false, AccountIdEndpointMode: 'preferred', ResourceArn: 'links' };
      expect(plainEndpoint(params)?.url.href, region).toBe(`https://dynamodb.${region}.amazonaws.com/`);
    }
  });

  it('answers an endpoint given, as the engine does', () => {
    const params = { Region: 'local', UseFIPS: false, UseDualStack: false, Endpoint: 'http://127.0.0.1:8000/' };
    expect(plainEndpoint(params)?.url.href).toBe('http://127.0.0.1:8000/');
    expect(engine(params)).toEqual({ url: 'http://127.0.0.1:8000/', properties: {} });
  });

  it('agrees with the engine wherever it answers, and leaves the rest to it', () => {
    const edges = ['local', 'us-east-99', 'eusc-de-east-1', 'xx-yy-1'].map((region) => ({ region, partition: '?' }));
    const everyRegion = product({
      where: [...regions, ...edges],
      AccountIdEndpointMode: [undefined, 'preferred', 'disabled', 'required'],
      IsSearchOperation: [undefined, true],
    });
    const everyCase = product({
      Region: ['us-east-1', 'cn-north-1', 'us-gov-west-1', 'local', undefined],
      UseFIPS: [false, true],
      UseDualStack: [false, true],
      Endpoint: [
        undefined,
        'http://127.0.0.1:8000/',
        'https://vpce-1a2b3c4d-5e6f.dynamodb.us-east-1.vpce.amazonaws.com/',
        'https://dynamodb.us-east-1.api.aws',
        'https://dynamodb.cn-north-1.api.amazonwebservices.com.cn',
        'https://search-dynamodb.us-east-1.api.aws',
        'https://dynamodb.us-east-1.amazonaws.com',
      ],
      AccountId: [undefined, '123456789012'],
      AccountIdEndpointMode: [undefined, 'preferred', 'disabled', 'required'],
      ResourceArn: [undefined, 'links', 'arn:aws:dynamodb:us-east-1:123456789012:table/links'],
    });
    const cases: Params[] = [
      ...everyRegion.map(({ where, ...rest }) => ({
        Region: where.region,
        UseFIPS: false,
        UseDualStack: false,
        ResourceArn: 'links',
        ...rest,
      })),
      ...everyCase,
      { Region: 'us-east-1', UseFIPS: false, UseDualStack: false, ResourceArnList: ['arn:aws:dynamodb:us-east-1:123456789012:table/a'] },
    ];
    let answered = 0;
    for (const params of cases) {
      const ours = plainEndpoint(params);
      if (!ours) continue;
      answered++;
      expect(engine(params), JSON.stringify(params)).toEqual({ url: ours.url.href, properties: {} });
    }
    // Both kinds of case answered here are many; the rest went to the engine.
    expect(answered).toBeGreaterThan(100);
    expect(answered).toBeLessThan(cases.length / 2);
  });

  it('hands FIPS, dual-stack, account endpoints and searches to the engine', () => {
    const plain = { Region: 'us-east-1', UseFIPS: false, UseDualStack: false };
    expect(plainEndpoint({ ...plain, UseFIPS: true })).toBeUndefined();
    expect(plainEndpoint({ ...plain, UseDualStack: true })).toBeUndefined();
    expect(plainEndpoint({ ...plain, AccountId: '123456789012' })).toBeUndefined();
    expect(plainEndpoint({ ...plain, AccountIdEndpointMode: 'required' })).toBeUndefined();
    expect(plainEndpoint({ ...plain, ResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/links' })).toBeUndefined();
    expect(plainEndpoint({ ...plain, IsSearchOperation: true })).toBeUndefined();
    expect(plainEndpoint({ ...plain, Region: 'cn-north-1' })).toBeUndefined();
    expect(plainEndpoint({ ...plain, Endpoint: 'not a url' })).toBeUndefined();
    // The engine refuses a dual-stack host given as the endpoint, in China's partition as in the commercial one.
    expect(
      plainEndpoint({ ...plain, Region: 'cn-north-1', Endpoint: 'https://dynamodb.cn-north-1.api.amazonwebservices.com.cn' }),
    ).toBeUndefined();
  });

  it('on a client, answers the plain case itself and the others through the engine', () => {
    const client = new DynamoDBClient({ region: 'us-east-1' });
    withPlainEndpoint(client);
    const resolve = client.config.endpointProvider;
    expect(resolve({ Region: 'eu-west-1', UseFIPS: false, UseDualStack: false }).url.href).toBe(
      'https://dynamodb.eu-west-1.amazonaws.com/',
    );
    expect(resolve({ Region: 'us-east-1', UseFIPS: true, UseDualStack: false }).url.href).toBe(
      'https://dynamodb-fips.us-east-1.amazonaws.com/',
    );
    expect(resolve({ Region: 'cn-north-1', UseFIPS: false, UseDualStack: false }).url.href).toBe(
      'https://dynamodb.cn-north-1.amazonaws.com.cn/',
    );
  });
});

describe('documentClient', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("in Lambda, resolves every call's endpoint by the plain case, and its calls are signed and answered", async () => {
    const table = await testTable('homebase-endpoint');
    try {
      const env = {
        AWS_LAMBDA_FUNCTION_NAME: 'homebase-list',
        AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
        AWS_REGION: 'local',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      };
      for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
      const db = documentClient();
      // The SDK asks the client's configuration for its endpoint at every call: what it asks with is recorded here.
      const resolve = db.config.endpointProvider;
      const asked: Params[] = [];
      db.config.endpointProvider = (params, context) => {
        asked.push(params);
        return resolve(params, context);
      };
      await expect(db.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'LINK#x', sk: 'LINK' } }))).resolves.toMatchObject({
        $metadata: { httpStatusCode: 200 },
      });
      expect(asked).toHaveLength(1);
      // Answered by the plain case: the engine's answer would carry its (empty) properties and headers too.
      expect(resolve(asked[0]!)).toStrictEqual({ url: new URL(table.endpoint) });
      db.destroy();
    } finally {
      await table.close();
    }
  });

  it('leaves out the middleware the driver has no use for, and keeps the rest', () => {
    const names = (client: { middlewareStack: { identify(): string[] } }) =>
      client.middlewareStack.identify().map((entry) => entry.split(' ')[0]);
    // Each is on the SDK's own stack: a name the SDK renamed would be removed from nothing, and cost cold starts again.
    const plain = new DynamoDBClient({ region: 'eu-west-1' });
    expect(names(plain)).toEqual(expect.arrayContaining([...UNUSED_MIDDLEWARE]));
    plain.destroy();
    const stack = names(documentClient());
    for (const name of UNUSED_MIDDLEWARE) expect(stack).not.toContain(name);
    expect(stack).toEqual(
      expect.arrayContaining(['serializerMiddleware', 'retryMiddleware', 'httpSigningMiddleware', 'deserializerMiddleware']),
    );
  });
});
