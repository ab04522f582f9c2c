/**
 * The recorded AWS calls against each function's role, as IAM would judge them: a call is allowed when a
 * statement of the role's policies allows its action on every resource it names and none denies it.
 * The other way round, each granted action and resource that no call used is reported, for the caller
 * to either remove or explain.
 */
import type { AwsCall } from './aws-recorder.ts';
import { type CloudAssembly, type Physical, referencedId, resolve, resourcesOfType } from './template.ts';

interface Statement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  /** Resolved ARNs (patterns), and the template resource each one names, where it names one. */
  resources: { arn: string; resourceType: string | undefined }[];
}

export interface Grant {
  /** The function's logical id. */
  function: string;
  action: string;
  resource: string;
  /** The CloudFormation type of the resource the grant names, when it names one of the template's. */
  resourceType: string | undefined;
}

export interface PermissionReport {
  /** Calls the function's role would not allow. */
  denied: AwsCall[];
  /** Grants no recorded call used. */
  unused: Grant[];
}

export function checkPermissions(assembly: CloudAssembly, physical: Physical, calls: AwsCall[]): PermissionReport {
  const denied: AwsCall[] = [];
  const unused: Grant[] = [];
  for (const [functionId, fn] of resourcesOfType(assembly, 'AWS::Lambda::Function')) {
    const name = physical(functionId);
    const statements = roleStatements(assembly, physical, referencedId(fn.Properties?.['Role']) ?? '');
    const own = calls.filter((call) => call.function === name);
    for (const call of own) if (!allowed(statements, call)) denied.push(call);
    for (const statement of statements.filter((s) => s.effect === 'Allow')) {
      for (const action of statement.actions) {
        for (const { arn, resourceType } of statement.resources) {
          const used = own.some((call) => matches(action, call.action, true) && call.resources.some((resource) => matches(arn, resource)));
          if (!used) unused.push({ function: functionId, action, resource: arn, resourceType });
        }
      }
    }
  }
  return { denied, unused };
}

/** The statements of every policy attached to the role: its inline policies and the AWS::IAM::Policy resources naming it. */
function roleStatements(assembly: CloudAssembly, physical: Physical, roleId: string): Statement[] {
  const role = assembly.resources[roleId];
  if (!role) throw new Error(`the function's role ${roleId} is not in the template`);
  if ((role.Properties?.['ManagedPolicyArns'] ?? []).length > 0) {
    throw new Error(`${roleId} has managed policies, which the harness cannot read: grant inline, in the template`);
  }
  const documents = [
    ...(role.Properties?.['Policies'] ?? []).map((policy: { PolicyDocument: unknown }) => policy.PolicyDocument),
    ...resourcesOfType(assembly, 'AWS::IAM::Policy')
      .filter(([, policy]) => (policy.Properties?.['Roles'] ?? []).some((ref: unknown) => referencedId(ref) === roleId))
      .map(([, policy]) => policy.Properties?.['PolicyDocument']),
  ] as { Statement: Record<string, unknown>[] }[];
  return documents.flatMap((document) =>
    document.Statement.map((statement) => ({
      effect: statement['Effect'] as 'Allow' | 'Deny',
      actions: [statement['Action']].flat() as string[],
      resources: [statement['Resource']].flat().map((resource) => ({
        arn: String(resolve(resource, physical)),
        resourceType: assembly.resources[referencedId(resource) ?? '']?.Type,
      })),
    })),
  );
}

function allowed(statements: Statement[], call: AwsCall): boolean {
  const covers = (statement: Statement, resource: string) =>
    statement.actions.some((action) => matches(action, call.action, true)) && statement.resources.some(({ arn }) => matches(arn, resource));
  const resources = call.resources.length > 0 ? call.resources : ['*'];
  return resources.every(
    (resource) =>
      statements.some((s) => s.effect === 'Allow' && covers(s, resource)) &&
      !statements.some((s) => s.effect === 'Deny' && covers(s, resource)),
  );
}

/** IAM's wildcards: `*` any run of characters, `?` any one. Actions ignore case; resources do not. */
export function matches(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}
