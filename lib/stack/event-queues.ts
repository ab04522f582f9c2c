/**
 * State reports' queue (functions/domain/events): what the device-events webhook stores and the stateReports
 * function consumes, with partial batch responses, and a dead-letter queue for what Rokid refused or what kept
 * failing past MAX_DELIVERIES (over an hour and a half of retries).
 */
import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { EventSourceMapping, type Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_DELIVERIES } from '../../functions/domain/events/delivery.ts';
import { FUNCTION_SIZING } from '../functions.ts';
import { acknowledge } from './nag.ts';

export class EventQueues extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: { key: IKey }) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'EventDeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetters, 'SQS3', 'EventDeadLetters is itself the dead-letter queue of the events queue.');
    this.queue = new Queue(this, 'Events', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      // Six times the consumer's timeout, as Lambda advises: a batch still at work is never handed out twice.
      visibilityTimeout: Duration.seconds(6 * FUNCTION_SIZING.stateReports.timeoutS),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: MAX_DELIVERIES },
    });
  }

  /** The consumer: Lambda's mapping polls with its role, which may take, delete and delay messages and set them aside. */
  connect(consumer: LambdaFn): void {
    consumer.addToRolePolicy(
      new PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        resources: [this.queue.queueArn],
      }),
    );
    consumer.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetters.queueArn] }));
    const mapping = new EventSourceMapping(this, 'StateReportsMapping', {
      target: consumer,
      eventSourceArn: this.queue.queueArn,
      batchSize: 10,
      // No batching window: an event leaves as soon as it is polled (99 % within 2 s is the goal).
      reportBatchItemFailures: true,
    });
    // Lambda checks, when it creates the mapping, that the role may receive: the role and its policy (a child of it) come first.
    mapping.node.addDependency(consumer.role ?? consumer);
  }

  /** The producer: the webhook sends, and nothing else. */
  allowSend(producer: LambdaFn): void {
    producer.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
  }
}
