/** /list: the envelope and every device against the model. */
import type { CheckContext } from '../context.ts';
import { noteError } from '../context.ts';
import { deviceLabel, deviceProblems, rhomeWarnings, stateKeyProblems } from '../device-rules.ts';
import { dataOf, errorEnvelopeProblems, errorNameOf, successProblems, transportProblems } from '../envelopes.ts';

const LIST_CHECKS = [
  ['list.envelope', '/list answers {status: 0, data: [devices]}'],
  ['list.device-model', 'every device follows the device model: type, actions, state values'],
  ['list.state-keys', "every state key belongs to one of the device's actions"],
  ['list.unique-ids', 'deviceIds are unique'],
  ['list.rhome', "what rhome v1.2.0's stricter schemas would refuse (warnings only)"],
] as const;

/** Answers the devices, or undefined when /list could not be read. */
export async function checkList(context: CheckContext): Promise<unknown[] | undefined> {
  const { client, results, userAuth } = context;
  if (!userAuth) {
    for (const [id, title] of LIST_CHECKS)
      results.skip(id, title, 'no credentials: give --username and --password, or --user-id and --user-token');
    return undefined;
  }
  const answer = await client.post('/list', { userAuth });
  noteError(context, '/list', answer);
  const problems = successProblems(answer);
  const data = dataOf(answer);
  if (problems.length === 0 && !Array.isArray(data)) problems.push('data is not an array');
  results.expect('list.envelope', LIST_CHECKS[0][1], problems, transportProblems(answer).warnings.join('; '));
  if (problems.length > 0 || !Array.isArray(data)) {
    for (const [id, title] of LIST_CHECKS.slice(1)) results.skip(id, title, 'the /list answer could not be read');
    return undefined;
  }
  results.expect('list.device-model', LIST_CHECKS[1][1], data.flatMap(deviceProblems));
  results.expect('list.state-keys', LIST_CHECKS[2][1], data.flatMap(stateKeyProblems));
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const id of data.map(deviceLabel)) {
    if (seen.has(id)) duplicates.push(id);
    seen.add(id);
  }
  results.expect(
    'list.unique-ids',
    LIST_CHECKS[3][1],
    [...new Set(duplicates)].map((id) => `${id} is listed more than once`),
  );
  const warnings = data.flatMap(rhomeWarnings);
  results.pass(
    'list.rhome',
    LIST_CHECKS[4][1],
    warnings.length === 0
      ? ''
      : `warning: ${warnings.slice(0, 3).join('; ')}${warnings.length > 3 ? `; and ${warnings.length - 3} more` : ''}`,
  );
  return data;
}

/** A userToken the driver never issued: /list must refuse it as a sign-in problem. */
export async function checkListBadToken(context: CheckContext): Promise<void> {
  const answer = await context.client.post('/list', {
    userAuth: { userId: context.userAuth?.userId ?? 'conformance', userToken: 'conformance-not-a-token' },
  });
  noteError(context, '/list (bad token)', answer);
  const problems = errorEnvelopeProblems(answer);
  const name = errorNameOf(answer);
  if (problems.length === 0 && name !== 'E_DRIVER_SIGN_ERROR' && name !== 'E_INVALID_AUTHORIZATION') {
    problems.push(`errorName is ${String(name)}, not E_DRIVER_SIGN_ERROR or E_INVALID_AUTHORIZATION`);
  }
  context.results.expect('list.bad-token', '/list with a token the driver never issued gets a sign-in error', problems);
}
