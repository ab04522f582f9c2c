/**
 * A small stand-in for AWS Secrets Manager on loopback: GetSecretValue over the JSON protocol the SDK
 * speaks, for the secrets it is given. It counts calls, so a benchmark or test can see the cache at work.
 */
import { createServer } from 'node:http';
import { listen } from '../local/loopback.ts';

export interface FakeSecretsManager {
  endpoint: string;
  /** The ARN each secret is served under, by the name it was given. */
  arns: Record<string, string>;
  calls: number;
  close(): Promise<void>;
}

/** `arnOf`: the ARN each secret is served under, as a template resolves it; by default one made from its name. */
export async function startFakeSecretsManager(
  secrets: Record<string, string>,
  options: { arnOf?: (name: string) => string } = {},
): Promise<FakeSecretsManager> {
  const arnOf = options.arnOf ?? ((name: string) => `arn:aws:secretsmanager:local:000000000000:secret:${name}`);
  const arns = Object.fromEntries(Object.keys(secrets).map((name) => [name, arnOf(name)]));
  const byArn = new Map(Object.entries(secrets).map(([name, value]) => [arns[name]!, { name, value }]));
  const fake = { arns, calls: 0 };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const { SecretId } = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { SecretId?: string };
    const reply = (status: number, json: unknown) =>
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(json));
    if (
      req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue' ||
      !String(req.headers.authorization).includes('/secretsmanager/')
    ) {
      return reply(400, { __type: 'InvalidRequestException', message: 'only signed GetSecretValue calls are served' });
    }
    fake.calls++;
    const secret = byArn.get(SecretId ?? '');
    if (!secret) return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    return reply(200, { ARN: SecretId, Name: secret.name, SecretString: secret.value, VersionId: 'v1', VersionStages: ['AWSCURRENT'] });
  });
  const { url, close } = await listen(server);
  return Object.assign(fake, { endpoint: url, close });
}
