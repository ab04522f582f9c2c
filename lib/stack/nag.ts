import { CfnElement, Validations } from 'aws-cdk-lib';
import type { Construct, IConstruct } from 'constructs';

/** A cdk-nag finding that is deliberate, acknowledged where it arises, with a reason a reviewer can check. */
export const acknowledge = (scope: Construct, id: string, reason: string) =>
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${id}`, reason });

/**
 * Keeps a stateful resource's logical id from the first release, now that it sits inside a construct.
 * A new id would make CloudFormation create a new table, key, secret or API and leave the retained
 * one behind: every link lost, and a new URL to paste into Rokid's console.
 */
export function keepLogicalId(construct: IConstruct, logicalId: string): void {
  const resource = construct.node.defaultChild ?? construct;
  if (!(resource instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  (resource as CfnElement & { overrideLogicalId(id: string): void }).overrideLogicalId(logicalId);
}
