/**
 * What every AuthorizationStore must do: each record is consumed once, however many callers race,
 * and nothing is consumed at or after the second it expires.
 */
import { describe, expect, it } from 'vitest';
import type { AuthorizationStore } from '../../functions/domain/ports.ts';

export function authorizationStoreContract(name: string, store: () => AuthorizationStore) {
  describe(`AuthorizationStore contract: ${name}`, () => {
    it('ten concurrent uses of one state: exactly one gets it', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, () => store().useState(`s-race-${name}`, 2000)));
      expect(results.filter(Boolean)).toHaveLength(1);
      await expect(store().useState(`s-race-${name}`, 2000)).resolves.toBe(false);
      await expect(store().useState(`s-other-${name}`, 2000)).resolves.toBe(true);
    });

    it('redeems an OAuth 2.0 code once among racers, then answers it as replayed; never a command-flow code, nor an expired one', async () => {
      const code = {
        linkId: 'l-1',
        request: {
          clientId: 'c',
          redirectUri: 'https://homebase.rokid.com/oauth/callback',
          redirectUriSent: true,
          state: 's',
          codeChallenge: 'x'.repeat(43),
        },
      };
      await store().saveIssuedCode('ic-1', code, 2000);
      const results = await Promise.all(Array.from({ length: 5 }, () => store().redeemIssuedCode('ic-1', 1000)));
      expect(results.filter((r) => r?.replayed === false)).toEqual([{ code, replayed: false }]);
      expect(results.filter((r) => r?.replayed === true)).toHaveLength(4);
      await expect(store().redeemIssuedCode('ic-1', 1000)).resolves.toEqual({ code, replayed: true });
      await expect(store().redeemIssuedCode('ic-1', 2000)).resolves.toBeUndefined();
      await expect(store().redeemIssuedCode('ic-unknown', 1000)).resolves.toBeUndefined();
      await store().saveCode('cmd-1', 'l-2', 2000);
      await expect(store().redeemIssuedCode('cmd-1', 1000)).resolves.toBeUndefined();
      await store().saveIssuedCode('ic-2', code, 2000);
      await expect(store().consumeCode('ic-2', 1000)).resolves.toBeUndefined();
    });

    it('an expired code is not consumed, at the second it expires', async () => {
      await store().saveCode('c-old', 'link-1', 2000);
      await expect(store().consumeCode('c-old', 2000)).resolves.toBeUndefined();
    });

    it('a code is consumed once, among concurrent callers', async () => {
      await store().saveCode('c-race', 'link-9', 2000);
      const results = await Promise.all(Array.from({ length: 10 }, () => store().consumeCode('c-race', 1000)));
      expect(results.filter(Boolean)).toEqual(['link-9']);
    });

    it('answers nothing for an unknown code', async () => {
      await expect(store().consumeCode('c-unknown', 1000)).resolves.toBeUndefined();
    });

    it('keeps a device token by app, device and request', async () => {
      const key = { appId: 'a', deviceId: 'd#1', requestId: 'r' };
      await store().saveDeviceToken(key, { access_token: 't' }, 1000);
      await expect(store().deviceToken(key)).resolves.toEqual({ token: { access_token: 't' }, issuedAt: 1000 });
      await expect(store().deviceToken({ ...key, requestId: 'other' })).resolves.toBeUndefined();
    });
  });
}
