/**
 * The template's resources as the local cloud names and builds them: the physical names `Ref` and
 * `Fn::GetAtt` resolve to, the API's route table, the table created in dynalite from its properties, the
 * secrets' values, and the event a scheduled rule sends.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { localClient } from '../local/dynamodb.ts';
import type { SqsStandIn } from '../stand-ins/sqs.ts';
import { type CloudAssembly, failWith, type Physical, referencedId, resolve, resourcesOfType } from './template.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';

/** Each HTTP API route key and the logical id of the function its integration invokes. */
export function routeTable(assembly: CloudAssembly): Record<string, string> {
  const routes: Record<string, string> = {};
  for (const [id, route] of resourcesOfType(assembly, 'AWS::ApiGatewayV2::Route')) {
    const integrationId = referencedId(route.Properties?.['Target']) ?? failWith(`route ${id} has no integration`);
    const integration = assembly.resources[integrationId] ?? failWith(`route ${id} names a missing integration`);
    const functionId =
      referencedId(integration.Properties?.['IntegrationUri']) ?? failWith(`integration ${integrationId} invokes no function`);
    routes[route.Properties?.['RouteKey']] = functionId;
  }
  return routes;
}

/** The names the local cloud gives the template's resources, in the forms `Ref` and `Fn::GetAtt` take. */
export function physicalNames(assembly: CloudAssembly, apiUrl: string): Physical {
  const pseudo: Record<string, string> = {
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': assembly.stackName,
    'AWS::NoValue': '',
  };
  return (id, attribute) => {
    if (id in pseudo) return pseudo[id]!;
    const resource = assembly.resources[id] ?? failWith(`the template has no resource ${id}`);
    const name = `${assembly.stackName}-${id}`;
    const arn = (service: string, rest: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;
    const forms: Record<string, { ref: string; [attribute: string]: string }> = {
      'AWS::DynamoDB::Table': { ref: name, Arn: arn('dynamodb', `table/${name}`) },
      'AWS::KMS::Key': { ref: id, Arn: arn('kms', `key/${id}`), KeyId: id },
      'AWS::SecretsManager::Secret': { ref: arn('secretsmanager', `secret:${id}-AbCdEf`) },
      'AWS::Lambda::Function': { ref: name, Arn: arn('lambda', `function:${name}`) },
      'AWS::ApiGatewayV2::Api': { ref: 'localapi', ApiEndpoint: apiUrl },
      'AWS::SQS::Queue': { ref: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`, Arn: arn('sqs', name), QueueName: name },
      'AWS::Logs::LogGroup': { ref: name, Arn: arn('logs', `log-group:${name}:*`) },
      'AWS::SNS::Topic': { ref: arn('sns', name), TopicArn: arn('sns', name), TopicName: name },
      'AWS::IAM::Role': { ref: name, Arn: `arn:aws:iam::${ACCOUNT}:role/${name}` },
      'AWS::Events::Rule': { ref: name, Arn: arn('events', `rule/${name}`) },
    };
    const form = forms[resource.Type];
    if (!form) return attribute ? failWith(`the local cloud does not name ${resource.Type}.${attribute}`) : id;
    const value = attribute ? form[attribute] : form.ref;
    return value ?? failWith(`the local cloud does not name ${resource.Type}.${attribute}`);
  };
}

/** What a scheduled rule sends its target (EventBridge's Scheduled Event). */
export function scheduledEvent(ruleArn: string) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: ACCOUNT,
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    region: REGION,
    resources: [ruleArn],
    detail: {},
  };
}

/** Given values first; a secret the template generates gets a value of the template's shape. */
export function secretValuesOf(assembly: CloudAssembly, given: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [id, secret] of resourcesOfType(assembly, 'AWS::SecretsManager::Secret')) {
    const generate = secret.Properties?.['GenerateSecretString'];
    if (given[id] !== undefined) values[id] = given[id];
    else if (generate?.SecretStringTemplate && generate.GenerateStringKey) {
      values[id] = JSON.stringify({
        ...JSON.parse(generate.SecretStringTemplate),
        [generate.GenerateStringKey]: randomBytes(24).toString('base64url'),
      });
    } else if (generate)
      values[id] = randomBytes(36)
        .toString('base64url')
        .slice(0, generate.PasswordLength ?? 32);
    // A secret the operators set, and the caller did not: GetSecretValue finds none, as before it is set.
  }
  return values;
}

export async function createTable(endpoint: string, name: string, props: Record<string, any>): Promise<void> {
  const client = localClient(endpoint);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: props['AttributeDefinitions'],
        KeySchema: props['KeySchema'],
        GlobalSecondaryIndexes: props['GlobalSecondaryIndexes'],
        LocalSecondaryIndexes: props['LocalSecondaryIndexes'],
        BillingMode: props['BillingMode'] ?? 'PROVISIONED',
        ...(props['BillingMode'] === 'PAY_PER_REQUEST' ? {} : { ProvisionedThroughput: props['ProvisionedThroughput'] }),
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Each queue of the template, with its visibility timeout and redrive policy. */
export function createQueues(sqs: SqsStandIn, assembly: CloudAssembly, physical: Physical): void {
  for (const [id, queue] of resourcesOfType(assembly, 'AWS::SQS::Queue')) {
    const redrive = queue.Properties?.['RedrivePolicy'];
    sqs.createQueue(physical(id, 'QueueName'), {
      ...(queue.Properties?.['VisibilityTimeout'] ? { visibilityTimeoutS: Number(queue.Properties['VisibilityTimeout']) } : {}),
      ...(redrive
        ? {
            redrive: {
              deadLetterQueue: String(resolve(redrive.deadLetterTargetArn, physical)).split(':').pop() ?? '',
              maxReceiveCount: Number(redrive.maxReceiveCount),
            },
          }
        : {}),
    });
  }
}
