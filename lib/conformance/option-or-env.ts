/**
 * Secrets a CLI takes may come from the environment instead of the command line: `npm run` prints the command it
 * runs, arguments and all, and a shell keeps its history, so a token on the command line is a token on screen and on
 * disk. Each secret-bearing option has one variable; the option, when given, wins.
 */
export const SECRET_VARIABLES = {
  bearer: 'CONFORMANCE_BEARER',
  'jwt-app-secret': 'CONFORMANCE_JWT_APP_SECRET',
  'upstream-token': 'CONFORMANCE_UPSTREAM_TOKEN',
  'service-token': 'CONFORMANCE_SERVICE_TOKEN',
} as const;

export type SecretOption = keyof typeof SECRET_VARIABLES;

/** The option's value when given, else its variable's (an empty variable counts as unset). */
export function optionOrEnv(
  values: Partial<Record<SecretOption, string | undefined>>,
  option: SecretOption,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  return values[option] ?? (env[SECRET_VARIABLES[option]] || undefined);
}
