/** The conformance CLI's secrets read from the environment, so that npm, which echoes its arguments, never shows them. */
import { describe, expect, it } from 'vitest';
import { optionOrEnv, parseConformanceArgs, USAGE } from '../../lib/conformance/args.ts';
import type { RunOptions } from '../../lib/conformance/context.ts';

const URL = 'http://127.0.0.1:3000';
const optionsOf = (argv: string[], env: Record<string, string>) => (parseConformanceArgs(argv, env) as { options: RunOptions }).options;

describe('secret options from the environment', () => {
  it('CONFORMANCE_BEARER stands for --bearer, and --bearer, when given, wins', () => {
    expect(optionsOf([URL, '--protocol', 'v2'], { CONFORMANCE_BEARER: 'from-env' }).bearer).toBe('from-env');
    expect(optionsOf([URL, '--protocol', 'v2', '--bearer', 'given'], { CONFORMANCE_BEARER: 'from-env' }).bearer).toBe('given');
  });

  it('CONFORMANCE_JWT_APP_SECRET stands for --jwt-app-secret beside the other --jwt-* options', () => {
    const options = optionsOf([URL, '--protocol', 'v2', '--jwt-app-id', 'app', '--jwt-user-id', 'u1'], {
      CONFORMANCE_JWT_APP_SECRET: 'secret-from-env',
      CONFORMANCE_BEARER: 'left-in-the-shell',
    });
    expect(options.jwt).toEqual({ appId: 'app', appSecret: 'secret-from-env', userId: 'u1' });
    // A bearer variable left set does not make it "both".
    expect(options.bearer).toBeUndefined();
  });

  it('v1 runs and an empty variable ignore them', () => {
    expect(optionsOf([URL], { CONFORMANCE_BEARER: 'from-env' }).bearer).toBeUndefined();
    expect(optionsOf([URL, '--protocol', 'v2'], { CONFORMANCE_BEARER: '' }).bearer).toBeUndefined();
  });

  it('each variable is named in the usage; the option, when given, wins', () => {
    expect(USAGE).toContain(
      'CONFORMANCE_BEARER for --bearer,\nCONFORMANCE_JWT_APP_SECRET for --jwt-app-secret, CONFORMANCE_UPSTREAM_TOKEN and CONFORMANCE_SERVICE_TOKEN',
    );
    expect(optionOrEnv(undefined, 'CONFORMANCE_SERVICE_TOKEN', { CONFORMANCE_SERVICE_TOKEN: 's' })).toBe('s');
    expect(optionOrEnv('given', 'CONFORMANCE_SERVICE_TOKEN', { CONFORMANCE_SERVICE_TOKEN: 's' })).toBe('given');
  });
});
