/**
 * Grants a run may leave unused, and the path that uses them once deployed. Preflight prints the path beside each
 * unused grant it knows. Two lists: what no run on loopback can use (AWS acting on a function's behalf never
 * reaches a loopback recorder), which the deployed-assembly test allows unused and nothing else; and the paths the
 * test drives but preflight does not take (a browser's sign-in, a link's tokens expiring, the virtual cloud's
 * seeding), which preflight explains and the test still requires used.
 */
import type { Grant } from './permissions.ts';

export interface GrantUse {
  action: string;
  resourceType: string;
  /** The driver function (lib/functions.ts) it applies to; unset, every function. */
  function?: string;
  /** A part of the granted resource's ARN (an index of the table, a secret's name), where the use is of that one. */
  resourcePart?: string;
  /** The path that would use it. */
  reason: string;
}

/** What no run on loopback can use, or one of the deployed-assembly test's assemblies does not. */
export const UNUSED_ON_LOOPBACK: GrantUse[] = [
  {
    function: 'refresh',
    action: 'dynamodb:GetItem',
    resourceType: 'AWS::DynamoDB::Table',
    reason:
      'rereads a link that another writer changed during its refresh, or after its upstream grant was revoked on retirement (the OAuth assembly uses it; UserCenter has no revocation)',
  },
  { action: 'logs:CreateLogStream', resourceType: 'AWS::Logs::LogGroup', reason: "Lambda writes the function's logs with its role" },
  { action: 'logs:PutLogEvents', resourceType: 'AWS::Logs::LogGroup', reason: "Lambda writes the function's logs with its role" },
  {
    function: 'refresh',
    action: 'sqs:SendMessage',
    resourceType: 'AWS::SQS::Queue',
    reason: 'Lambda sends a failed scheduled run to the on-failure destination with the role',
  },
  {
    function: 'stateReports',
    action: 'sqs:GetQueueAttributes',
    resourceType: 'AWS::SQS::Queue',
    reason: "Lambda's event-source mapping reads the queue's attributes with the role when it is created",
  },
  {
    action: 'kms:Decrypt',
    resourceType: 'AWS::KMS::Key',
    reason: "DynamoDB and Secrets Manager decrypt with the stack's key on the caller's behalf (kms:ViaService)",
  },
  {
    action: 'kms:Encrypt',
    resourceType: 'AWS::KMS::Key',
    reason: "DynamoDB encrypts the table's items with the stack's key on the caller's behalf",
  },
  {
    function: 'directive',
    action: 'dynamodb:DeleteItem',
    resourceType: 'AWS::DynamoDB::Table',
    reason:
      'gives a v2 claim back after a failure of the driver’s own (the UserCenter assembly provokes one; the OAuth assembly has no such failure)',
  },
  {
    action: 'kms:GenerateDataKey',
    resourceType: 'AWS::KMS::Key',
    reason: "DynamoDB and SQS (the on-failure queue, the events queue) generate data keys under the stack's key on the caller's behalf",
  },
];

/** Paths the deployed-assembly test drives and preflight does not. */
const NOT_TAKEN_BY_PREFLIGHT: GrantUse[] = [
  {
    function: 'command',
    action: 'dynamodb:Query',
    resourceType: 'AWS::DynamoDB::Table',
    resourcePart: '/index/vendor-user',
    reason:
      "a link revoked at the OAuth 2.0 server's /oauth2/revoke ends its state-report grants, found by their vendor user (that sign-in is a browser's: the deployed-assembly test drives it)",
  },
  {
    function: 'refresh',
    action: 'dynamodb:Query',
    resourceType: 'AWS::DynamoDB::Table',
    resourcePart: '/index/vendor-user',
    reason:
      "retiring a link whose driver tokens all expired ends its state-report grants, found by their vendor user (no link's tokens expire within a run)",
  },
  {
    function: 'refresh',
    action: 'dynamodb:DeleteItem',
    resourceType: 'AWS::DynamoDB::Table',
    reason: 'retiring a link whose driver tokens all expired, once its upstream grant is revoked',
  },
  {
    function: 'command',
    action: 'dynamodb:GetItem',
    resourceType: 'AWS::DynamoDB::Table',
    reason: "OAuthRefresh, and the OAuth 2.0 server's code exchange and refresh, read a link or a code",
  },
  {
    function: 'command',
    action: 'dynamodb:DeleteItem',
    resourceType: 'AWS::DynamoDB::Table',
    reason: 'the OAuth 2.0 server: a link revoked at /oauth2/revoke, or a replayed authorization code',
  },
  {
    function: 'command',
    action: 'secretsmanager:GetSecretValue',
    resourceType: 'AWS::SecretsManager::Secret',
    resourcePart: 'HomebaseClientSecret',
    reason: "the OAuth 2.0 server's /oauth2/token authenticates Homebase with it (a browser's sign-in comes first)",
  },
  // A signed-in user's paths, which an OAuth upstream's browser sign-in comes before.
  ...['list', 'execute'].map((fn) => ({
    function: fn,
    action: 'dynamodb:GetItem',
    resourceType: 'AWS::DynamoDB::Table',
    reason: "reads a signed-in user's link, for /list and /execute with a driver token",
  })),
  {
    function: 'command',
    action: 'dynamodb:PutItem',
    resourceType: 'AWS::DynamoDB::Table',
    reason: 'writes the link of a user who signs in (login, OAuthGetToken)',
  },
  {
    function: 'command',
    action: 'dynamodb:UpdateItem',
    resourceType: 'AWS::DynamoDB::Table',
    reason: "a sign-in's attempt counters, and the link's lease for OAuthRefresh",
  },
  ...['list', 'execute', 'command', 'directive', 'refresh'].map((fn) => ({
    function: fn,
    action: 'secretsmanager:GetSecretValue',
    resourceType: 'AWS::SecretsManager::Secret',
    resourcePart: 'OAuthClientSecret',
    reason: "exchanges (command) or refreshes a signed-in user's upstream OAuth tokens",
  })),
  ...['list', 'execute'].map((fn) => ({
    function: fn,
    action: 'dynamodb:PutItem',
    resourceType: 'AWS::DynamoDB::Table',
    reason: "a link written back after an inline refresh of its upstream token, or the virtual cloud's home seeded",
  })),
  {
    function: 'list',
    action: 'dynamodb:UpdateItem',
    resourceType: 'AWS::DynamoDB::Table',
    reason: "the link's lease for an inline refresh of an expired upstream token",
  },
  {
    function: 'execute',
    action: 'dynamodb:UpdateItem',
    resourceType: 'AWS::DynamoDB::Table',
    reason: "a virtual cloud device's state, and the link's lease for an inline refresh of an expired upstream token",
  },
];

/** The path that would use an unused grant, where one is known; `driverFunction` is the function the grant's role is of. */
export const grantUse = (
  grant: Grant,
  driverFunction: string | undefined,
  uses: GrantUse[] = [...UNUSED_ON_LOOPBACK, ...NOT_TAKEN_BY_PREFLIGHT],
): string | undefined =>
  uses.find(
    (use) =>
      use.action === grant.action &&
      use.resourceType === grant.resourceType &&
      (use.function ?? driverFunction) === driverFunction &&
      grant.resource.includes(use.resourcePart ?? ''),
  )?.reason;
