/**
 * The one client the driver's OAuth 2.0 server knows: Homebase, registered the way Rokid's console
 * registers a vendor (digest §5d), and how it proves who it is at the token and revocation endpoints.
 */
import { sameSecret } from '../same-secret.ts';
import { OAuth2Error } from './oauth2-error.ts';

export interface RegisteredClient {
  clientId: string;
  /** Resolved per use: deployed it comes from Secrets Manager (cached). */
  secret(): Promise<string>;
  /** Matched exactly, as RFC 6749 §3.1.2.3 asks of registered URIs. */
  redirectUris: readonly string[];
  /** The scopes it may ask for; undefined accepts any. */
  scopes: readonly string[] | undefined;
}

/** What client authentication reads from a request. */
export interface ClientCredentialsSource {
  /** The Authorization header, as sent. */
  authorization: string | undefined;
  /** The form parameters. */
  params: Record<string, string>;
}

/**
 * Authenticates the client by HTTP Basic or by `client_id` and `client_secret` in the body (§2.3.1).
 * Basic credentials are form-encoded before base64, so they are percent-decoded here: a strictly
 * encoded `homebase%2Drokid` is `homebase-rokid`. Rokid sends `client_id` in the body beside its Basic
 * credentials; that is accepted when the two agree. Two secrets at once is two methods, which §2.3 forbids.
 */
export async function authenticateClient(client: RegisteredClient, request: ClientCredentialsSource): Promise<void> {
  const basic = basicCredentials(request.authorization);
  const bodyId = request.params['client_id'];
  const bodySecret = request.params['client_secret'];
  let presented: { id: string; secret: string };
  if (basic) {
    if (bodySecret !== undefined) {
      throw new OAuth2Error('invalid_request', 'The client authenticated twice: by HTTP Basic and by client_secret in the body. Use one.');
    }
    if (bodyId !== undefined && bodyId !== basic.id) {
      throw new OAuth2Error('invalid_client', 'The client_id in the body is not the one in the Basic credentials.', {
        basicChallenge: true,
      });
    }
    presented = basic;
  } else {
    if (bodyId === undefined || bodySecret === undefined) {
      throw new OAuth2Error(
        'invalid_client',
        'Client authentication is required: HTTP Basic, or client_id and client_secret in the body.',
        { basicChallenge: request.authorization !== undefined },
      );
    }
    presented = { id: bodyId, secret: bodySecret };
  }
  // Both compared, whatever the first says, so the time taken tells nothing.
  const idMatches = sameSecret(presented.id, client.clientId);
  const secretMatches = sameSecret(presented.secret, await client.secret());
  if (!idMatches || !secretMatches) {
    throw new OAuth2Error('invalid_client', 'The client is unknown or its secret is wrong.', { basicChallenge: basic !== undefined });
  }
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = header === undefined ? null : /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match) {
    if (header !== undefined && /^basic\b/i.test(header)) {
      throw new OAuth2Error('invalid_client', 'The Basic credentials are not base64.', { basicChallenge: true });
    }
    return undefined;
  }
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1)
    throw new OAuth2Error('invalid_client', 'The Basic credentials have no colon between id and secret.', { basicChallenge: true });
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw new OAuth2Error('invalid_client', 'The Basic credentials are not properly percent-encoded.', { basicChallenge: true });
  }
}

const formDecode = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '));
