/**
 * One call to an AWS service's JSON API (KMS, Secrets Manager, SQS), signed with SigV4 and sent on the driver's
 * own node:http transport.
 *
 * Signed by the SDK's own signer, which every bundle already carries and has compiled for its DynamoDB calls: a
 * second SigV4 implementation (`aws4`, with which the KMS and SQS stand-ins and the secrets test still check these
 * signatures) cost the command and stateReports functions its module and its first signature on every cold start
 * (docs/performance.md).
 *
 * Not through the SDK's clients: the driver makes a few such calls per container, and each client's
 * module, configuration and first call cost a cold start more than the calls themselves (the KMS client
 * about 30 ms of a cold /list; for the Secrets Manager client, see docs/performance.md). Credentials and
 * region are Lambda's, from the environment; AWS_ENDPOINT_URL_<SERVICE> or AWS_ENDPOINT_URL points a
 * service elsewhere, as for the SDK's clients.
 */
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { isRecord } from '../../domain/json.ts';
import { requestText, TransportError } from '../http/request.ts';
import { parseJson } from '../http/request-json.ts';

export interface AwsService {
  /** The signing name and the endpoint's first label: `kms`, `secretsmanager`. */
  name: string;
  /** How the SDK's environment variables name it: `KMS`, `SECRETS_MANAGER`. */
  envName: string;
  /** How the X-Amz-Target header names it: `TrentService`, `secretsmanager`. */
  targetPrefix: string;
  /** How a person names it, in error messages: `KMS`, `Secrets Manager`. */
  label: string;
  /** The JSON protocol's version: 1.1 for KMS and Secrets Manager (the default), 1.0 for SQS. */
  jsonVersion?: '1.0' | '1.1';
}

/** An error answer of the service, named as the service names it (`ResourceNotFoundException`, …). */
export class AwsServiceError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export async function awsJsonCall(
  service: AwsService,
  action: string,
  body: Record<string, unknown>,
  /**
   * `endpoint` and `credentials`: where to send it and whose it is, instead of the environment's, for a caller
   * other than a function (the assembly harness's event-source mapping, polling with a function's role).
   */
  options: { timeoutMs: number; endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string } },
): Promise<Record<string, unknown>> {
  const env = process.env;
  const region = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
  const url = new URL(
    options.endpoint ??
      env[`AWS_ENDPOINT_URL_${service.envName}`] ??
      env['AWS_ENDPOINT_URL'] ??
      `https://${service.name}.${region}.amazonaws.com/`,
  );
  const payload = JSON.stringify(body);
  const credentials = options.credentials ?? {
    accessKeyId: env['AWS_ACCESS_KEY_ID'] ?? '',
    secretAccessKey: env['AWS_SECRET_ACCESS_KEY'] ?? '',
    ...(env['AWS_SESSION_TOKEN'] ? { sessionToken: env['AWS_SESSION_TOKEN'] } : {}),
  };
  // No payload-hash header: as the SDK's own clients sign every service but S3.
  const signer = new SignatureV4({ service: service.name, region, credentials, sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: {},
    headers: {
      host: url.host,
      'content-length': String(Buffer.byteLength(payload)),
      'content-type': `application/x-amz-json-${service.jsonVersion ?? '1.1'}`,
      'x-amz-target': `${service.targetPrefix}.${action}`,
    },
    body: payload,
  });
  // One retry for what a retry can mend: no answer, a 5xx, throttling.
  for (let attempt = 1; ; attempt++) {
    let answer: Awaited<ReturnType<typeof requestText>>;
    try {
      answer = await requestText(url.href, {
        method: 'POST',
        headers: signed.headers as Record<string, string>,
        body: payload,
        timeoutMs: options.timeoutMs,
      });
    } catch (error) {
      if (error instanceof TransportError && attempt < 2) continue;
      throw error;
    }
    // A proxy's HTML page or an empty body reads as an answer with no fields.
    const parsed = parseJson(answer.body);
    const json = isRecord(parsed) ? parsed : {};
    if (answer.status === 200) return json;
    const type =
      String(json['__type'] ?? 'AwsServiceError')
        .split('#')
        .pop() ?? 'AwsServiceError';
    if ((answer.status >= 500 || type === 'ThrottlingException') && attempt < 2) continue;
    const message = json['message'] ?? json['Message'] ?? `HTTP ${answer.status}`;
    throw new AwsServiceError(type, `${service.label} ${action} failed: ${String(message)}`);
  }
}
