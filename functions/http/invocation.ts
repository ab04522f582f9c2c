import type { Context } from 'aws-lambda';
import type { Invocation } from '../domain/refresh/fresh-sessions.ts';

/** The little of the Lambda context the domain needs: who is asking, and how long is left. */
export const invocationOf = (context: Context): Invocation => ({
  requestId: context.awsRequestId,
  remainingMs: () => context.getRemainingTimeInMillis(),
});
