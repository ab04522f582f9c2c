/** The scheduled refresh: one run at a time, every few minutes, with failed runs parked in a queue. */
import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { DestinationConfig, IDestination, IFunction, Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, keepLogicalId } from './nag.ts';

export class RefreshSchedule extends Construct {
  /** Where a run that failed outright ends up. */
  readonly failures: Queue;

  constructor(scope: Construct, id: string, props: { refresh: LambdaFn; key: IKey; rateMinutes: number }) {
    super(scope, id);
    this.failures = new Queue(this, 'RefreshFailures', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    keepLogicalId(this.failures, 'RefreshFailuresC6C0AA17');
    acknowledge(this.failures, 'SQS3', 'RefreshFailures is itself the dead-letter queue of the refresh schedule.');
    props.refresh.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.minutes(5),
      onFailure: new QueueDestination(this.failures),
    });
    new Rule(this, 'RefreshSchedule', {
      description: 'homebase-driver: refresh upstream tokens that are due',
      schedule: Schedule.rate(Duration.minutes(props.rateMinutes)),
      targets: [new LambdaFunction(props.refresh, { deadLetterQueue: this.failures, retryAttempts: 0 })],
    });
  }
}

/**
 * The failure destination, granted exactly what sending needs: SendMessage on the queue (the function
 * may already use the queue's key to encrypt). CDK's SqsDestination grants the key's ReEncrypt* too,
 * which nothing here uses.
 */
class QueueDestination implements IDestination {
  readonly #queue: Queue;

  constructor(queue: Queue) {
    this.#queue = queue;
  }

  bind(_scope: Construct, fn: IFunction): DestinationConfig {
    fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.#queue.queueArn] }));
    return { destination: this.#queue.queueArn };
  }
}
