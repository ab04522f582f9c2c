/**
 * A setting that is a secret: deployed, read from Secrets Manager by its ARN (that module loads only then, and
 * caches the value for 5 minutes); in local runs, the setting's own value.
 */
export const secretSetting = (value: string, arn: string | undefined) => async (): Promise<string> =>
  arn ? (await import('../adapters/secrets/secrets.ts')).secretString(arn)() : value;
