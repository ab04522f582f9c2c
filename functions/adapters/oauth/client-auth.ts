/** How the driver authenticates to the token endpoint. */
import * as oauth from 'oauth4webapi';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** OAUTH_CLIENT_AUTH if set; else the first of basic and post that discovery lists; else basic. */
export function clientAuthFor(configured: ClientAuthMethod | undefined, as: oauth.AuthorizationServer, secret: string): oauth.ClientAuth {
  const supported = as.token_endpoint_auth_methods_supported;
  const method =
    configured ??
    (supported?.includes('client_secret_basic')
      ? 'client_secret_basic'
      : supported?.includes('client_secret_post')
        ? 'client_secret_post'
        : undefined) ??
    'client_secret_basic';
  return method === 'client_secret_post' ? oauth.ClientSecretPost(secret) : literalBasic(secret);
}

/**
 * HTTP Basic client authentication that servers accept. RFC 6749 §2.3.1 form-encodes the id and secret
 * first, and oauth4webapi encodes every character but letters and digits, so `homebase-driver` arrives
 * as `homebase%2Ddriver`; many servers compare the header literally and refuse it. Here the unreserved
 * characters (`A–Z a–z 0–9 - . _ ~`) go as they are, and only the rest is encoded.
 */
function literalBasic(clientSecret: string): oauth.ClientAuth {
  return (_as, client, _body, headers) => {
    const credentials = `${formEncode(client.client_id)}:${formEncode(clientSecret)}`;
    headers.set('authorization', `Basic ${Buffer.from(credentials).toString('base64')}`);
  };
}

const formEncode = (text: string) =>
  encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
