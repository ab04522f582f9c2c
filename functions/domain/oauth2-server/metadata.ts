/** RFC 8414: what a client needs to know of the driver's OAuth 2.0 server, at /.well-known/oauth-authorization-server. */
export function serverMetadata(publicBaseUrl: string, scopes: readonly string[] | undefined) {
  const issuer = publicBaseUrl.replace(/\/+$/, '');
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    token_endpoint: `${issuer}/oauth2/token`,
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    ...(scopes === undefined ? {} : { scopes_supported: scopes }),
  };
}
