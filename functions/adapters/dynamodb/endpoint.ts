/**
 * DynamoDB's endpoint for the plain case, without running the SDK's rules engine: a region of the commercial
 * partition, or an endpoint given (AWS_ENDPOINT_URL_DYNAMODB), with FIPS, dual-stack and account endpoints off.
 *
 * The engine walks a decision diagram of some forty conditions, parsing ARNs and looking partitions up, and all
 * of it is compiled on a container's first call: its share of a cold /list was about 3 % (docs/performance.md).
 * Every other case returns undefined, and the SDK's own resolver answers it. test/adapters/dynamodb-endpoint.test.ts
 * holds the answers here to the SDK's, region by region of every partition the SDK knows.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

type EndpointProvider = DynamoDBClient['config']['endpointProvider'];
type EndpointParameters = Parameters<EndpointProvider>[0];

/** The commercial partition's region names (the SDK's own pattern for it is wider; what it leaves out falls through). */
const COMMERCIAL_REGION = /^(?:us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+$/;

export function plainEndpoint(params: EndpointParameters): { url: URL } | undefined {
  const { Region, Endpoint, UseFIPS, UseDualStack, AccountId, AccountIdEndpointMode } = params;
  if (UseFIPS || UseDualStack || AccountId !== undefined || AccountIdEndpointMode === 'required') return undefined;
  // A table given by ARN carries an account, and a search goes to its own host: both are the engine's.
  const arns = [params.ResourceArn, ...(params.ResourceArnList ?? [])];
  if (arns.some((name) => name?.startsWith('arn:')) || params.IsSearchOperation) return undefined;
  if (Endpoint !== undefined) {
    const url = URL.parse(Endpoint);
    // The engine refuses a service host of its own given as the endpoint (a dual-stack one, in any partition), with a
    // message to leave to it: a DynamoDB host name goes to the engine.
    return url && !/^(?:search-)?dynamodb\./.test(url.hostname) ? { url } : undefined;
  }
  return Region !== undefined && COMMERCIAL_REGION.test(Region) ? { url: new URL(`https://dynamodb.${Region}.amazonaws.com/`) } : undefined;
}

/** The client's resolver, answering the plain case itself and handing every other to the SDK's. */
export function withPlainEndpoint(client: DynamoDBClient): void {
  const sdk = client.config.endpointProvider;
  client.config.endpointProvider = (params, context) => plainEndpoint(params) ?? sdk(params, context);
}
