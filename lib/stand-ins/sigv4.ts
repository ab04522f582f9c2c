/**
 * How the AWS stand-ins check a request's signature, as the service would: SigV4 recomputed for the service's
 * signing name with the known test credentials (what the tests', the harness's and `npm start`'s AWS_ACCESS_KEY_ID
 * and secret are), over the headers the driver signs.
 */
import type { IncomingHttpHeaders } from 'node:http';
import aws4 from 'aws4';

/** The credentials requests to the stand-ins must be signed with. */
export const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function signedFor(
  service: string,
  request: { headers: IncomingHttpHeaders; url?: string; method?: string },
  body: string,
): boolean {
  const { headers } = request;
  const scope = new RegExp(`Credential=[^/]+/\\d{8}/([^/]+)/${service}/aws4_request`).exec(String(headers.authorization))?.[1];
  if (!scope) return false;
  const expected = aws4.sign(
    {
      host: String(headers.host),
      path: request.url ?? '/',
      method: request.method ?? 'POST',
      service,
      region: scope,
      headers: {
        'content-type': String(headers['content-type']),
        'x-amz-target': String(headers['x-amz-target']),
        'x-amz-date': String(headers['x-amz-date']),
        ...(headers['x-amz-security-token'] ? { 'x-amz-security-token': String(headers['x-amz-security-token']) } : {}),
      },
      body,
    },
    CREDENTIALS,
  );
  return expected.headers?.['Authorization'] === headers.authorization;
}
