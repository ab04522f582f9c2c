/** Hostile input on every endpoint: each gets an error envelope, never a 5xx or an HTML page. */
import type { CheckContext } from '../context.ts';
import { noteError } from '../context.ts';
import { errorEnvelopeProblems, transportProblems } from '../envelopes.ts';

const ONE_MB = 1024 * 1024;

const INPUTS = {
  'malformed-json': { title: 'malformed JSON', body: () => '{"userAuth": {"userToken": ' },
  'wrong-types': {
    title: 'fields of the wrong type',
    body: (endpoint: string) =>
      JSON.stringify(
        endpoint === '/list' ? { userAuth: 5 } : endpoint === '/execute' ? { device: 'x', action: [] } : { command: 7, params: 'x' },
      ),
  },
  'large-body': { title: 'a 1 MB body', body: () => `{"userAuth":{"userToken":"${'x'.repeat(ONE_MB)}"}}` },
} as const;

export async function checkHostileInput(context: CheckContext): Promise<void> {
  for (const endpoint of ['/list', '/execute', '/command']) {
    for (const [kind, input] of Object.entries(INPUTS)) {
      const id = `hostile${endpoint.replace('/', '.')}.${kind}`;
      const title = `${endpoint} with ${input.title} gets an error envelope`;
      if (endpoint === '/command' && context.hasCommand === false) {
        context.results.skip(id, title, 'the driver has no /command');
        continue;
      }
      const answer = await context.client.post(endpoint, input.body(endpoint), { raw: true });
      noteError(context, `${endpoint} (${kind})`, answer);
      context.results.expect(id, title, errorEnvelopeProblems(answer), transportProblems(answer).warnings.join('; '));
    }
  }
}

/** Every error envelope seen in the run, whatever provoked it, follows the protocol. */
export function checkErrorEnvelopes(context: CheckContext): void {
  const problems = context.errors.flatMap(({ where, answer }) => errorEnvelopeProblems(answer).map((p) => `${where}: ${p}`));
  const title = `every error envelope (${context.errors.length} seen) has status > 0, a protocol errorName and a message`;
  if (context.errors.length === 0) context.results.skip('errors.envelopes', title, 'no error envelope was seen');
  else context.results.expect('errors.envelopes', title, problems);
}
