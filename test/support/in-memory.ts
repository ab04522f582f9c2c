/** In-memory ports for domain tests, which run without a network. Same contracts as the DynamoDB adapters. */
import type { Clock, LinkStore } from '../../functions/domain/ports.ts';
import type { Link } from '../../functions/domain/vault/link.ts';

export class InMemoryLinkStore implements LinkStore {
  readonly items = new Map<string, Link>();

  async create(link: Link): Promise<void> {
    if (this.items.has(link.linkId)) throw new Error('ConditionalCheckFailed: link exists');
    this.items.set(link.linkId, structuredClone(link));
  }

  async get(linkId: string): Promise<Link | undefined> {
    const link = this.items.get(linkId);
    return link && structuredClone(link);
  }
}

export class FakeClock implements Clock {
  seconds = 1_800_000_000;
  now(): number {
    return this.seconds;
  }
  advance(seconds: number): void {
    this.seconds += seconds;
  }
}
