/**
 * Envelope encryption: KMS data keys through a fake KMS on loopback (nothing here can reach AWS), the
 * data-key cache, and ciphertexts that do not open when tampered with or moved to another item.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EnvelopeCipher } from '../../functions/adapters/crypto/envelope-cipher.ts';
import { kmsDataKeys } from '../../functions/adapters/crypto/kms-data-keys.ts';
import { type FakeKms, startFakeKms } from '../../lib/stand-ins/kms.ts';
import { testCipher } from '../support/credentials.ts';

let kms: FakeKms;
beforeAll(async () => {
  kms = await startFakeKms();
  vi.stubEnv('AWS_ENDPOINT_URL_KMS', kms.endpoint);
  vi.stubEnv('AWS_REGION', 'local');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await kms.close();
});

const kmsCipher = (options: ConstructorParameters<typeof EnvelopeCipher>[1] = {}, tableName = 'homebase') =>
  new EnvelopeCipher(kmsDataKeys({ keyId: kms.keyId, tableName }), options);

describe('with KMS data keys', () => {
  it('seals and opens, and the sealed form holds neither the value nor the data key in clear', async () => {
    const cipher = kmsCipher();
    const sealed = await cipher.seal('upstream-access-token', 'link-1');
    expect(sealed).toMatch(/^hbe1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('upstream-access-token');
    await expect(cipher.open(sealed, 'link-1')).resolves.toBe('upstream-access-token');
  });

  it('uses one data key for many values until its use count or age runs out, and opens each wrapped key once', async () => {
    let now = 1_000_000;
    const before = { ...kms.calls };
    const cipher = kmsCipher({ maxUses: 3, maxAgeMs: 60_000, now: () => now });
    const sealed = await Promise.all([1, 2, 3].map((i) => cipher.seal(`t-${i}`, `l-${i}`)));
    expect(kms.calls.GenerateDataKey - before.GenerateDataKey).toBe(1);
    await cipher.seal('t-4', 'l-4');
    expect(kms.calls.GenerateDataKey - before.GenerateDataKey).toBe(2);
    now += 60_000;
    await cipher.seal('t-5', 'l-5');
    expect(kms.calls.GenerateDataKey - before.GenerateDataKey).toBe(3);

    // Another container opens them all: one Decrypt for the one wrapped key they share.
    const other = kmsCipher();
    await expect(Promise.all(sealed.map((s, i) => other.open(s, `l-${i + 1}`)))).resolves.toEqual(['t-1', 't-2', 't-3']);
    await other.open(sealed[0]!, 'l-1');
    expect(kms.calls.Decrypt - before.Decrypt).toBe(1);
  });

  it('warmed, has its data key before the first seal, and the seal asks KMS for nothing more', async () => {
    const cipher = kmsCipher();
    const before = kms.calls.GenerateDataKey;
    cipher.warm();
    cipher.warm();
    const sealed = await cipher.seal('t', 'l');
    expect(kms.calls.GenerateDataKey - before).toBe(1);
    await expect(cipher.open(sealed, 'l')).resolves.toBe('t');
  });

  it("signs its calls with SigV4 for KMS, with the function's credentials", async () => {
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-the-secret');
    try {
      await expect(kmsCipher().seal('t', 'l')).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    } finally {
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    }
  });

  it('binds the data key to the table: a wrapped key from another table does not unwrap', async () => {
    const sealed = await kmsCipher({}, 'homebase').seal('t', 'l');
    await expect(kmsCipher({}, 'another-table').open(sealed, 'l')).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
  });
});

describe('sealed values', () => {
  it.each([
    ['moved to another item', (s: string) => s, 'link-2'],
    // The character replaced is the one tested: when it already was 'A', replacing it with 'A' changed nothing.
    ['with a flipped bit', (s: string) => `${s.slice(0, -2)}${s.at(-2) === 'A' ? 'B' : 'A'}${s.slice(-1)}`, 'link-1'],
    ['not sealed at all', () => 'plain-token', 'link-1'],
  ])('do not open %s', async (_case, change, context) => {
    const cipher = testCipher();
    const sealed = await cipher.seal('upstream-access-token', 'link-1');
    await expect(cipher.open(change(sealed), context)).rejects.toThrow();
  });
});
