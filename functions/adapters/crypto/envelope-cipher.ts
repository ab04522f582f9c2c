/**
 * Envelope encryption of the vendor credentials the driver keeps, in the manner of the AWS Encryption
 * SDK's caching: one data key seals up to `maxUses` values or for `maxAgeMs`, whichever ends first; its
 * wrapped form travels with each ciphertext; and a wrapped key met when opening is unwrapped once and
 * kept. Values are sealed with AES-256-GCM, bound by its additional data to what they belong to (the
 * link id, the state's hash), so a ciphertext moved to another item does not open.
 *
 *   hbe1.<wrapped data key>.<iv>.<ciphertext and tag>   (base64url each)
 */
import type { CredentialCipher } from '../../domain/ports.ts';
import { crypto } from '../../runtime/builtins.ts';

const { createCipheriv, createDecipheriv, randomBytes } = crypto;

const PREFIX = 'hbe1';

/** Where data keys come from: the stack's KMS key deployed, a key file locally. */
export interface DataKeyProvider {
  generate(): Promise<{ plaintext: Buffer; wrapped: Buffer }>;
  unwrap(wrapped: Buffer): Promise<Buffer>;
}

export class EnvelopeCipher implements CredentialCipher {
  readonly #keys: DataKeyProvider;
  readonly #maxUses: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #current: Promise<{ plaintext: Buffer; wrapped: Buffer; uses: number; bornAt: number }> | undefined;
  /** Unwrapped keys by their wrapped form; bounded, oldest out first. */
  readonly #opened = new Map<string, Promise<Buffer>>();

  constructor(keys: DataKeyProvider, options: { maxUses?: number; maxAgeMs?: number; now?: () => number } = {}) {
    this.#keys = keys;
    this.#maxUses = options.maxUses ?? 10_000;
    this.#maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Fetches a data key now, so the first seal does not wait for one. */
  warm(): void {
    if (!this.#current) void this.#fresh().catch(() => undefined);
  }

  async seal(plaintext: string, context: string): Promise<string> {
    const key = await this.#dataKey();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.plaintext, iv);
    cipher.setAAD(Buffer.from(context));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [PREFIX, key.wrapped.toString('base64url'), iv.toString('base64url'), sealed.toString('base64url')].join('.');
  }

  async open(sealed: string, context: string): Promise<string> {
    const [prefix, wrapped, iv, body] = sealed.split('.');
    if (prefix !== PREFIX || !wrapped || !iv || !body) throw new Error('not a sealed credential');
    const key = await this.#unwrapped(wrapped);
    const data = Buffer.from(body, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
  }

  async #dataKey() {
    // Concurrent first seals share one request: whoever comes first starts it, the others wait on it.
    const current = await (this.#current ?? this.#fresh()).catch(() => undefined);
    const key = current && current.uses < this.#maxUses && this.#now() - current.bornAt < this.#maxAgeMs ? current : await this.#fresh();
    key.uses++;
    return key;
  }

  /** A new data key, remembered for opening too; a failed request is forgotten, so the next seal asks again. */
  #fresh() {
    const generating = this.#keys.generate().then((key) => {
      this.#remember(key.wrapped.toString('base64url'), Promise.resolve(key.plaintext));
      return { ...key, uses: 0, bornAt: this.#now() };
    });
    this.#current = generating;
    generating.catch(() => {
      if (this.#current === generating) this.#current = undefined;
    });
    return generating;
  }

  #unwrapped(wrapped: string): Promise<Buffer> {
    const known = this.#opened.get(wrapped);
    if (known) return known;
    const opening = this.#keys.unwrap(Buffer.from(wrapped, 'base64url')).catch((error: unknown) => {
      this.#opened.delete(wrapped);
      throw error;
    });
    this.#remember(wrapped, opening);
    return opening;
  }

  #remember(wrapped: string, key: Promise<Buffer>): void {
    this.#opened.set(wrapped, key);
    if (this.#opened.size > 256) this.#opened.delete(this.#opened.keys().next().value ?? '');
  }
}

/** Is this value sealed, or a plaintext one written before encryption? */
export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(`${PREFIX}.`);
