import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
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

const { Readable } = process.getBuiltinModule('node:stream');

/**
 * Runs the client's first-call work (its configuration, endpoint rules, serializers, signer, deserializers: some
 * 20 ms of CPU, against 5 ms for each call after it) on a GetItem answered in process, so that a function's first
 * answer does not wait on it. Nothing goes out: the last middleware before the transport answers an empty item.
 * Not an aborted request: the retry middleware meets that as an error, and asking whether the failed request was
 * streamed loads Node's web streams (stream-collector.ts).
 */
export async function primeClient(db: DynamoDBDocumentClient, tableName: string): Promise<void> {
  const command = new GetCommand({ TableName: tableName, Key: { pk: 'PRIME', sk: 'PRIME' } });
  command.middlewareStack.add(
    () => async () => ({
      response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from('{}')]) },
    }),
    // Named, and overriding itself: a document command's stack is merged into its inner command's twice.
    { step: 'deserialize', priority: 'low', name: 'answeredInProcess', override: true },
  );
  await db.send(command);
}
