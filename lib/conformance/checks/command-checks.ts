/** /command, where the driver has it: login, OAuth's URL, an unknown command; and the OAuth 2.0 metadata. */

import { isRecord } from '../../../functions/domain/json.ts';
import { type CheckContext, noteError, type UserAuth } from '../context.ts';
import { dataOf, errorEnvelopeProblems, errorNameOf, successProblems } from '../envelopes.ts';

/** Finds out whether there is a /command, checks it, and answers the userAuth a login gave (if any). */
export async function checkCommand(context: CheckContext): Promise<UserAuth | undefined> {
  const { client, results, options } = context;
  const unknown = await client.post('/command', { command: 'conformanceNoSuchCommand', params: {} });
  context.hasCommand = unknown.status !== 404 && unknown.status !== 405 && unknown.json !== undefined;
  if (!context.hasCommand) {
    const why = `the driver has no /command (HTTP ${unknown.status}); it is optional`;
    for (const [id, title] of COMMAND_CHECKS) results.skip(id, title, why);
    return undefined;
  }
  noteError(context, '/command (unknown)', unknown);
  results.expect('command.unknown', 'an unknown command gets an error envelope', errorEnvelopeProblems(unknown));

  let userAuth: UserAuth | undefined;
  if (options.username === undefined) {
    results.skip('command.login', '`login` with the given username and password', 'no --username and --password given');
  } else {
    const login = await client.post('/command', { command: 'login', params: { username: options.username, password: options.password } });
    noteError(context, '/command login', login);
    const problems = successProblems(login);
    const data = dataOf(login);
    if (problems.length === 0) {
      if (!isRecord(data) || typeof data['userToken'] !== 'string' || data['userToken'] === '') problems.push('data.userToken is missing');
      else if (data['userId'] !== undefined && typeof data['userId'] !== 'string') problems.push('data.userId is not a string');
      else userAuth = { ...(typeof data['userId'] === 'string' ? { userId: data['userId'] } : {}), userToken: data['userToken'] };
    }
    results.expect('command.login', '`login` with the given username and password', problems);
  }

  const oauth = await client.post('/command', { command: 'OAuth', params: { callbackURL: options.callbackUrl } });
  noteError(context, '/command OAuth', oauth);
  if (successProblems(oauth).length > 0) {
    const said = isRecord(oauth.json)
      ? `${String(errorNameOf(oauth) ?? '')} ${String(oauth.json['message'] ?? '')}`.trim()
      : `HTTP ${oauth.status}`;
    results.skip(
      'command.oauth',
      '`OAuth` answers a URL that embeds the encoded callbackURL',
      `the driver does not offer OAuth here (${said})`,
    );
  } else {
    const url = dataOf(oauth);
    const problems: string[] = [];
    if (typeof url !== 'string' || !URL.canParse(url)) problems.push('data is not an absolute URL string');
    else if (!url.includes(encodeURIComponent(options.callbackUrl))) problems.push('the URL does not embed the URL-encoded callbackURL');
    results.expect('command.oauth', '`OAuth` answers a URL that embeds the encoded callbackURL', problems);
  }
  return userAuth;
}

const COMMAND_CHECKS = [
  ['command.unknown', 'an unknown command gets an error envelope'],
  ['command.login', '`login` with the given username and password'],
  ['command.oauth', '`OAuth` answers a URL that embeds the encoded callbackURL'],
] as const;

/** RFC 8414 metadata, where the driver serves it (Rokid's recommended standard OAuth 2.0 path). */
export async function checkOAuth2Metadata(context: CheckContext): Promise<void> {
  const title = 'the OAuth 2.0 metadata (RFC 8414) names the code flow';
  const answer = await context.client.get('/.well-known/oauth-authorization-server');
  if (answer.status !== 200 || !isRecord(answer.json)) {
    context.results.skip('oauth2.metadata', title, `not served (HTTP ${answer.status})`);
    return;
  }
  const meta = answer.json;
  const problems: string[] = [];
  for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint']) {
    if (typeof meta[field] !== 'string' || !URL.canParse(meta[field] as string)) problems.push(`${field} is not a URL`);
  }
  const list = (field: string) => (Array.isArray(meta[field]) ? (meta[field] as unknown[]) : undefined);
  if (!list('response_types_supported')?.includes('code')) problems.push('response_types_supported lacks code');
  const grants = list('grant_types_supported');
  if (grants && !grants.includes('authorization_code')) problems.push('grant_types_supported lacks authorization_code');
  const warning = list('code_challenge_methods_supported')?.includes('S256') ? '' : 'warning: no PKCE S256 advertised';
  context.results.expect('oauth2.metadata', title, problems, warning);
}
