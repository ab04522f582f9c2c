import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { lambdaClientSettings } from '../aws/client-settings.ts';
import { collectNodeStream } from '../aws/stream-collector.ts';

/**
 * One document client per container. The SDK reads the region and credentials from the Lambda
 * environment, and AWS_ENDPOINT_URL_DYNAMODB points it at the embedded engine when run locally. Its
 * settings and its way of reading answers are chosen for a quick cold start (`../aws/`).
 */
export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...lambdaClientSettings('DYNAMODB'), maxAttempts: 3, streamCollector: collectNodeStream }),
    {
      marshallOptions: { removeUndefinedValues: true },
    },
  );
}
