/** What both halves of the fault run stand up around an assembly: the upstream stand-ins, holding the secrets the run signs and sends with. */
import { type CloudAssembly, resourcesOfType } from '../../../lib/assembly/template.ts';
import { startUpstreamStandIns } from '../../../lib/assembly/upstream-stand-ins.ts';

/** Rokid's JWT app secret, as the stand-in Secrets Manager holds it: the runs sign their users' JWTs with it. */
export const JWT_SECRET = 'fault-run-jwt-app-secret';
/** The device-cloud service token the driver sends, and the fault device cloud takes. */
export const SERVICE_TOKEN = 'fault-run-service-token';

export function faultRunStandIns(assembly: CloudAssembly) {
  const secretId = (prefix: string) =>
    resourcesOfType(assembly, 'AWS::SecretsManager::Secret').find(([id]) => id.startsWith(prefix))?.[0] ?? `no ${prefix}`;
  return startUpstreamStandIns(assembly, {
    secretValues: { [secretId('SecretsRokidJwtAppSecret')]: JWT_SECRET, [secretId('SecretsDeviceCloudServiceToken')]: SERVICE_TOKEN },
  });
}
