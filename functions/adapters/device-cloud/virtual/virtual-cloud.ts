import { setTimeout as sleep } from 'node:timers/promises';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DeviceNotFoundError, EndpointBusyError } from '../../../domain/errors.ts';
import type { CloudSession, DeviceCloud, SendOptions } from '../../../domain/ports.ts';
import type { Action } from '../../../domain/protocol/action.ts';
import type { Device, State } from '../../../domain/protocol/device.ts';
import { crypto } from '../../../runtime/builtins.ts';
import { isConditionFailure, keys } from '../../dynamodb/table.ts';
import { demoHome } from './demo-home.ts';
import { applyAction, type Random } from './semantics.ts';

interface DeviceItem {
  device: Device;
  version: number;
  /** The last writes applied, by id: a write whose answer was lost, and that is retried, finds itself here. */
  writes?: string[];
}

/** Enough to outlast any retry of a write: the SDK's retries take well under the busy budget. */
const KEPT_WRITES = 16;

/**
 * How long an action keeps retrying when other requests change the same device first: the time an http
 * device cloud is given (DEVICE_CLOUD_TIMEOUT_MS), so that /execute fits its function's timeout either way.
 */
const BUSY_BUDGET_MS = 2500;

const keyOf = (vendorUserId: string, deviceId: string) => `${vendorUserId}\u0000${deviceId}`;

/**
 * A simulated vendor cloud. Each user's devices live in the driver's own table; a user seen for the
 * first time gets the demo home. State changes are conditional on the version read, so two actions
 * on one device at once are both applied, one after the other, and neither is lost.
 */
export class VirtualDeviceCloud implements DeviceCloud {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #random: Random;
  /** The device `get` read last, for the `execute` that follows it; taken once, and only one is kept. */
  #justRead: { key: string; item: DeviceItem } | undefined;

  readonly #busyBudgetMs: number;

  constructor(db: DynamoDBDocumentClient, tableName: string, options: { random?: Random; busyBudgetMs?: number } = {}) {
    this.#db = db;
    this.#table = tableName;
    this.#random = options.random ?? Math.random;
    this.#busyBudgetMs = options.busyBudgetMs ?? BUSY_BUDGET_MS;
  }

  async list(session: CloudSession): Promise<Device[]> {
    let home = await this.#query(session.vendorUserId);
    if (!home.seeded) {
      await this.#seed(session.vendorUserId);
      home = await this.#query(session.vendorUserId);
    }
    return home.devices.map((item) => item.device);
  }

  async get(session: CloudSession, deviceId: string): Promise<Device | undefined> {
    const item = await this.#read(session.vendorUserId, deviceId);
    if (item) {
      this.#justRead = { key: keyOf(session.vendorUserId, deviceId), item };
      return item.device;
    }
    // Homebase lists before it controls, but a user may reach /get or /execute first.
    if (await this.#isSeeded(session.vendorUserId)) return undefined;
    await this.#seed(session.vendorUserId);
    return (await this.#read(session.vendorUserId, deviceId))?.device;
  }

  async execute(session: CloudSession, deviceId: string, action: Action, options: SendOptions = {}): Promise<State> {
    const writeId = options.idempotencyKey ?? crypto.randomUUID();
    // /execute reads the device (to check the action) just before this: start from that read. If it
    // has gone stale, the version condition fails and the next attempt reads afresh.
    const key = keyOf(session.vendorUserId, deviceId);
    let reused = this.#justRead?.key === key ? this.#justRead.item : undefined;
    this.#justRead = undefined;
    let written: State | undefined;
    // Voice users say two things in quick succession: each action waits its turn (a jittered backoff,
    // doubling to 50 ms) for as long as the budget allows, and only then is the device called busy.
    const deadline = Date.now() + Math.min(this.#busyBudgetMs, session.deadline?.remainingMs() ?? Number.POSITIVE_INFINITY);
    for (let attempt = 1; attempt === 1 || Date.now() < deadline; attempt++) {
      const item = reused ?? (await this.#read(session.vendorUserId, deviceId));
      reused = undefined;
      if (!item) throw new DeviceNotFoundError(`Device "${deviceId}" was not found in your account.`);
      // Applied already: by an attempt whose answer was lost (the SDK retried it, and its condition then failed).
      if (item.writes?.includes(writeId)) return written ?? item.device.state;
      written = applyAction(item.device.state, action, this.#random);
      try {
        await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: keys.virtualDevice(session.vendorUserId, deviceId),
            UpdateExpression: 'SET #device.#state = :state, #version = :next, #writes = :writes',
            ConditionExpression: '#version = :read',
            ExpressionAttributeNames: { '#device': 'device', '#state': 'state', '#version': 'version', '#writes': 'writes' },
            ExpressionAttributeValues: {
              ':state': written,
              ':read': item.version,
              ':next': item.version + 1,
              ':writes': [...(item.writes ?? []).slice(1 - KEPT_WRITES), writeId],
            },
          }),
        );
        return written;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        await sleep(Math.floor(this.#random() * Math.min(50, 5 * 2 ** attempt)));
      }
    }
    throw new EndpointBusyError(`Device "${deviceId}" is busy with other requests. Try again in a moment.`);
  }

  async #read(vendorUserId: string, deviceId: string): Promise<DeviceItem | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: keys.virtualDevice(vendorUserId, deviceId), ConsistentRead: true }),
    );
    return Item as DeviceItem | undefined;
  }

  async #query(vendorUserId: string): Promise<{ devices: DeviceItem[]; seeded: boolean }> {
    const devices: DeviceItem[] = [];
    let seeded = false;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.virtualCloud(vendorUserId) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      const home = keys.virtualHome(vendorUserId).sk;
      for (const item of page.Items ?? []) {
        if (item['sk'] === home) seeded = true;
        else devices.push(item as DeviceItem);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return { devices, seeded };
  }

  async #isSeeded(vendorUserId: string): Promise<boolean> {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: keys.virtualHome(vendorUserId), ConsistentRead: true }),
    );
    return Item !== undefined;
  }

  /**
   * Conditional puts, so racing first requests write each device once and never reset a state. The
   * home marker goes last: whoever sees it sees every device.
   */
  async #seed(vendorUserId: string): Promise<void> {
    const items = demoHome(vendorUserId).map((device) => ({
      ...keys.virtualDevice(vendorUserId, device.deviceId),
      device,
      version: 1,
    }));
    await Promise.all(items.map((item) => this.#putIfAbsent(item)));
    await this.#putIfAbsent(keys.virtualHome(vendorUserId));
  }

  async #putIfAbsent(item: Record<string, unknown>): Promise<void> {
    try {
      await this.#db.send(new PutCommand({ TableName: this.#table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
