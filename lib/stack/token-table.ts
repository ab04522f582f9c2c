/** The single table: links, pending authorizations and the virtual cloud, with the refresh job's due index and the vendor-user index. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DUE_INDEX, TABLE_KEYS, TTL_ATTRIBUTE, VENDOR_USER_INDEX } from '../../functions/adapters/dynamodb/table.ts';
import { keepLogicalId } from './nag.ts';

export class TokenTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: { key: IKey }) {
    super(scope, id);
    // Table (not TableV2): a customer-managed key on TableV2 needs a concrete region at synth time,
    // and the stack must synthesise offline and deploy to whatever region the engineer chooses.
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: DUE_INDEX.indexName,
      partitionKey: { name: DUE_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: DUE_INDEX.sortKey, type: AttributeType.NUMBER },
      projectionType: ProjectionType.KEYS_ONLY,
    });
    // Added to a deployed table as the one index change of its update (DynamoDB allows no more at once).
    this.table.addGlobalSecondaryIndex({
      indexName: VENDOR_USER_INDEX.indexName,
      partitionKey: { name: VENDOR_USER_INDEX.partitionKey, type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
    keepLogicalId(this.table, 'TableCD117FA1');
  }

  /** The due index, for the refresh job's policy. */
  get dueIndexArn(): string {
    return `${this.table.tableArn}/index/${DUE_INDEX.indexName}`;
  }

  /** The vendor-user index: operators' revocations, and state reports' grants of a user. */
  get vendorUserIndexArn(): string {
    return `${this.table.tableArn}/index/${VENDOR_USER_INDEX.indexName}`;
  }
}
