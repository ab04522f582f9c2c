import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { lambdaClientSettings } from '../aws/client-settings.ts';
import { collectNodeStream } from '../aws/stream-collector.ts';
import { withPlainEndpoint } from './endpoint.ts';

/**
 * What the SDK adds to every call that the driver has no use for, each compiled and run on a container's first
 * call: a logger that logs nothing (the client is given none), the trace headers (X-Ray's, W3C's traceparent,
 * tracestate and baggage) that Lambda's recursion detection reads on SQS, SNS and Lambda calls, never on DynamoDB's,
 * and the user agent, which the SDK builds from the OS, Node's versions and the features used, for AWS's telemetry
 * alone. With the plain endpoint, a cold /list went from 1.29× to 1.15× the bare handler (docs/performance.md).
 */
export const UNUSED_MIDDLEWARE = ['loggerMiddleware', 'recursionDetectionMiddleware', 'getUserAgentMiddleware'] as const;

/**
 * One document client per container. The SDK reads the region and credentials from the Lambda
 * environment, and AWS_ENDPOINT_URL_DYNAMODB points it at the embedded engine when run locally. Its
 * settings, its endpoint, its middleware and its way of reading answers are chosen for a quick cold
 * start (`../aws/`, `endpoint.ts`).
 */
export function documentClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ ...lambdaClientSettings('DYNAMODB'), maxAttempts: 3, streamCollector: collectNodeStream });
  withPlainEndpoint(client);
  for (const name of UNUSED_MIDDLEWARE) client.middlewareStack.remove(name);
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
