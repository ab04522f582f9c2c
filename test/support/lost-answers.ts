/**
 * "Applied, then the answer lost": a DynamoDB client middleware that lets the next call of one command reach
 * DynamoDB and take effect, then throws a retryable error in place of its answer, once, so that the SDK's retry
 * sends the same request again, as after a connection dropped on the way back.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function loseAnswers(db: DynamoDBDocumentClient): { next(commandName: string): void; lost(): number } {
  let armed: string | undefined;
  let lost = 0;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (armed !== undefined && context.commandName === armed) {
        armed = undefined;
        lost++;
        throw Object.assign(new Error('The answer was lost on the way back'), {
          name: 'RequestTimeout',
          $retryable: {},
          $metadata: { httpStatusCode: 500 },
        });
      }
      return result;
    },
    // Under the retry middleware (finalizeRequest): the SDK retries what this throws.
    { step: 'deserialize', name: 'loseAnswers' },
  );
  return {
    next: (commandName) => {
      armed = commandName;
    },
    lost: () => lost,
  };
}
