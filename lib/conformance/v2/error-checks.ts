/**
 * v2's errors, each by its exact name (error-response.md, the digest's section 6), and hostile messages:
 * whatever arrives, an HTTP 200 ErrorResponse, never a 5xx or a page.
 */
import { isRecord } from '../../../functions/domain/json.ts';
import { authorizationOf, capabilitiesOf, directive, field, forgedAuthorization, send, unsignedJwt, type V2Context } from './context.ts';
import { type Endpoint, firstPercentage } from './discovery-checks.ts';
import { errorResponseProblems, INTERFACES } from './rules.ts';

export async function checkErrors(context: V2Context, endpoints: Endpoint[] | undefined): Promise<void> {
  const { results, options } = context;
  const authorization = authorizationOf(options);
  const expectError = async (
    id: string,
    title: string,
    message: ReturnType<typeof directive>,
    name: string,
    headers?: Record<string, string>,
  ) => {
    const answer = await send(context, id, message, false, headers);
    const problems = errorResponseProblems(answer, name);
    if (problems.length === 0 && field(answer.json, 'header', 'messageId') !== message.header.messageId)
      problems.push('header.messageId does not echo the request’s');
    results.expect(id, title, problems);
  };
  await expectError(
    'v2.errors.bad-authorization',
    'a message whose authorization the driver never issued gets E_INVALID_AUTHORIZATION',
    directive('Rokid.Discovery', 'Discover', forgedAuthorization(options)),
    'E_INVALID_AUTHORIZATION',
  );
  const unsigned = unsignedJwt(options);
  if (unsigned) {
    await expectError(
      'v2.errors.unsigned-jwt',
      'a JWT with alg "none" and no signature gets E_INVALID_AUTHORIZATION',
      directive('Rokid.Discovery', 'Discover', unsigned),
      'E_INVALID_AUTHORIZATION',
    );
  } else results.skip('v2.errors.unsigned-jwt', 'an unsigned JWT', 'the run does not use JWT authorization');
  if (authorization && Object.keys(options.headers ?? {}).length > 0) {
    await expectError(
      'v2.errors.missing-header',
      // Not E_INVALID_AUTHORIZATION: on that name Rokid drops the binding, and the user's authorization is fine.
      'a message without the console’s custom header gets E_INTERNAL_ERROR, never E_INVALID_AUTHORIZATION',
      directive('Rokid.Discovery', 'Discover', authorization),
      'E_INTERNAL_ERROR',
      {},
    );
  } else results.skip('v2.errors.missing-header', 'a message without the custom header', 'no --header given');
  if (!authorization) {
    for (const id of ['no-such-endpoint', 'unknown-namespace', 'unsupported-operation', 'out-of-range'])
      results.skip(`v2.errors.${id}`, id, 'no authorization given');
    return;
  }
  await expectError(
    'v2.errors.no-such-endpoint',
    'a Control of an endpoint the user does not have gets E_NO_SUCH_ENDPOINT',
    directive('Rokid.Control', 'Switch.On', authorization, { endpointId: 'conformance-no-such-endpoint' }),
    'E_NO_SUCH_ENDPOINT',
  );
  await expectError(
    'v2.errors.unknown-namespace',
    'a namespace the protocol does not have gets E_NOT_SUPPORTED_DIRECTIVE',
    directive('Rokid.Conformance', 'Discover', authorization),
    'E_NOT_SUPPORTED_DIRECTIVE',
  );
  const first = endpoints?.[0];
  const listed = new Set((first ? capabilitiesOf(first) : []).map((c) => String(c['interface'])));
  const missing = Object.keys(INTERFACES).find((name) => !listed.has(name));
  if (first && missing) {
    await expectError(
      'v2.errors.unsupported-operation',
      'an operation of an interface the endpoint does not list gets E_NOT_SUPPORTED_DIRECTIVE',
      directive('Rokid.Control', `${missing}.${INTERFACES[missing]!.operations[0]}`, authorization, {
        endpointId: String(first['endpointId']),
      }),
      'E_NOT_SUPPORTED_DIRECTIVE',
    );
  } else results.skip('v2.errors.unsupported-operation', 'an unlisted operation', 'no endpoint to try it on');
  const percent = firstPercentage(endpoints, ['Set'], false);
  if (percent && options.execute) {
    await expectError(
      'v2.errors.out-of-range',
      'a percentage Set to 101 gets E_VALUE_OUT_OF_RANGE',
      directive('Rokid.Control', `${percent.name}.Set`, authorization, { endpointId: percent.endpointId, payload: { value: 101 } }),
      'E_VALUE_OUT_OF_RANGE',
    );
  } else
    results.skip(
      'v2.errors.out-of-range',
      'a percentage Set out of range',
      percent ? 'read-only run' : 'no endpoint has a percentage with Set',
    );
}

const HOSTILE: [string, string, () => string][] = [
  ['malformed-json', 'malformed JSON', () => '{"header": {"messageId": '],
  ['not-object', 'a body that is a JSON array', () => '[1, 2, 3]'],
  ['no-header', 'a message with no header', () => '{"payload": {}}'],
  [
    'long-field',
    'a messageId of 100,000 characters',
    () => JSON.stringify(directive('Rokid.Discovery', 'Discover', undefined, { messageId: 'm'.repeat(100_000) })),
  ],
  [
    'large-body',
    'a body of 1 MB',
    () => JSON.stringify({ ...directive('Rokid.Discovery', 'Discover', undefined), padding: 'x'.repeat(1024 * 1024) }),
  ],
];

export async function checkHostile(context: V2Context): Promise<void> {
  for (const [id, what, body] of HOSTILE) {
    const answer = await send(context, `hostile ${id}`, body(), true);
    context.results.expect(`v2.hostile.${id}`, `${what} gets HTTP 200 and an ErrorResponse`, errorResponseProblems(answer));
  }
}

/** Every ErrorResponse the run met follows error-response.md: four strings, a listed name, no stack. */
export function checkErrorResponses(context: V2Context): void {
  const problems = context.errors.flatMap(({ where, answer }) => errorResponseProblems(answer).map((p) => `${where}: ${p}`));
  const withEndpoint = context.errors.filter(({ answer }) => isRecord(answer.json) && 'endpoint' in answer.json).length;
  context.results.expect(
    'v2.error-responses',
    `every ErrorResponse of the run (${context.errors.length}) follows error-response.md`,
    problems,
    withEndpoint > 0 ? `note: ${withEndpoint} carried an endpoint, which the docs do not give an ErrorResponse` : '',
  );
}
