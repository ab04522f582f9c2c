/**
 * Lambda's SQS event-source mappings, as the local cloud runs them: read from the template (the queue, the
 * function, the batch size, whether partial batch responses are on), and polled with the function's own role,
 * through its recorder, so that the calls Lambda makes for a mapping are checked against that role as IAM would.
 */
import { randomUUID } from 'node:crypto';
import { awsJsonCall } from '../../functions/adapters/aws/json-call.ts';
import { SQS } from '../../functions/adapters/sqs/sqs-queue.ts';
import { sqsEventOf } from '../local/queue-poller.ts';
import { CREDENTIALS } from '../stand-ins/sigv4.ts';
import { REGION } from './resources.ts';
import { type CloudAssembly, failWith, type Physical, referencedId, resolve, resourcesOfType } from './template.ts';

export interface EventSourceMapping {
  id: string;
  functionId: string;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  reportsItemFailures: boolean;
}

export function eventSourceMappings(assembly: CloudAssembly, physical: Physical): EventSourceMapping[] {
  return resourcesOfType(assembly, 'AWS::Lambda::EventSourceMapping').map(([id, mapping]) => {
    const props = mapping.Properties ?? {};
    const queueId = referencedId(props['EventSourceArn']) ?? failWith(`${id} polls something other than a queue of the template`);
    return {
      id,
      functionId: referencedId(props['FunctionName']) ?? failWith(`${id} targets no function of the template`),
      queueUrl: physical(queueId),
      queueArn: String(resolve(props['EventSourceArn'], physical)),
      batchSize: Number(props['BatchSize'] ?? 10),
      reportsItemFailures: (props['FunctionResponseTypes'] ?? []).includes('ReportBatchItemFailures'),
    };
  });
}

/** Polls until nothing is visible; answers the batches handed to the function. */
export async function drainMapping(
  mapping: EventSourceMapping,
  sqsEndpoint: string,
  invoke: (event: unknown) => Promise<unknown>,
): Promise<number> {
  let batches = 0;
  for (;;) {
    const answer = await sqsCall(sqsEndpoint, 'ReceiveMessage', {
      QueueUrl: mapping.queueUrl,
      MaxNumberOfMessages: mapping.batchSize,
      MessageSystemAttributeNames: ['All'],
    });
    const messages = (answer['Messages'] ?? []) as Array<Record<string, any>>;
    if (messages.length === 0) return batches;
    batches++;
    const { Records: records } = sqsEventOf(messages, mapping.queueArn, REGION);
    let failed = new Set<string>(records.map((r) => r.messageId));
    try {
      const result = (await invoke({ Records: records })) as { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
      // Without partial batch responses, a batch that returns is all done; with them, what it names failed.
      failed = new Set(mapping.reportsItemFailures ? (result?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : []);
    } catch {
      // A function that throws (or times out) fails its whole batch: it comes back after the visibility timeout.
    }
    const done = records.filter((r) => !failed.has(r.messageId));
    if (done.length > 0) {
      await sqsCall(sqsEndpoint, 'DeleteMessageBatch', {
        QueueUrl: mapping.queueUrl,
        Entries: done.map((r) => ({ Id: randomUUID(), ReceiptHandle: r.receiptHandle })),
      });
    }
  }
}

/** A call the mapping makes, with the function's role: through the function's own recorder. */
const sqsCall = (endpoint: string, action: string, body: Record<string, unknown>) =>
  awsJsonCall(SQS, action, body, { timeoutMs: 10_000, endpoint: `${endpoint}/`, credentials: CREDENTIALS });
