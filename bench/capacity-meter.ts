import { AsyncLocalStorage } from 'node:async_hooks';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InitializeHandlerArguments, InitializeHandlerOutput, InitializeMiddleware, MetadataBearer } from '@smithy/types';
import type { TableAccess } from '../lambdas/shared/access/table-access';

/**
 * Counts the capacity units every DynamoDB request of a piece of work consumes, without
 * touching `lambdas/`: a `TableAccess` that hands out the same clients as the one it wraps,
 * each with a middleware that asks for `ReturnConsumedCapacity: 'INDEXES'` and adds the
 * answer to the tally of whatever work is running (an AsyncLocalStorage context), so each
 * ingest request is charged exactly what it spent even though clients are shared.
 */

const READ_COMMANDS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);
const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);
const TRANSACTIONAL_WRITE = 'TransactWriteItemsCommand';

export interface CommandTally {
  calls: number;
  failures: number;
  units: number;
  /** Units by table / index, as `INDEXES` reports them. */
  readonly byTarget: Map<string, number>;
}

/** What one piece of work (one request) consumed, by command. Units are as DynamoDB Local reported them. */
export class CapacityTally {
  readonly byCommand = new Map<string, CommandTally>();

  record(command: string, consumed: readonly ConsumedCapacity[]): void {
    const tally = this.entry(command);
    tally.calls += 1;
    for (const capacity of consumed) {
      tally.units += capacity.CapacityUnits ?? (capacity.ReadCapacityUnits ?? 0) + (capacity.WriteCapacityUnits ?? 0);
      const table = capacity.Table?.CapacityUnits;
      if (table !== undefined) tally.byTarget.set('table', (tally.byTarget.get('table') ?? 0) + table);
      for (const [index, units] of Object.entries({ ...capacity.GlobalSecondaryIndexes, ...capacity.LocalSecondaryIndexes })) {
        tally.byTarget.set(index, (tally.byTarget.get(index) ?? 0) + (units.CapacityUnits ?? 0));
      }
    }
  }

  recordFailure(command: string): void {
    const tally = this.entry(command);
    tally.calls += 1;
    tally.failures += 1;
  }

  /** Adds another tally into this one (to total many requests). */
  add(other: CapacityTally): void {
    for (const [command, theirs] of other.byCommand) {
      const mine = this.entry(command);
      mine.calls += theirs.calls;
      mine.failures += theirs.failures;
      mine.units += theirs.units;
      for (const [target, units] of theirs.byTarget) mine.byTarget.set(target, (mine.byTarget.get(target) ?? 0) + units);
    }
  }

  readUnits(): number {
    return this.sum((command) => READ_COMMANDS.has(command));
  }

  /**
   * Write units, as AWS charges them. Only plain writes can be counted: DynamoDB Local's
   * capacity report for TransactWriteItems is not AWS's (two one-item Puts in one transaction
   * report 2 units; AWS charges 2 per item, 4), so a tally holding one is refused, not guessed.
   */
  writeUnits(): number {
    if (this.byCommand.has(TRANSACTIONAL_WRITE)) throw new Error('a TransactWriteItems was metered: DynamoDB Local does not report its units as AWS charges them');
    return this.sum((command) => WRITE_COMMANDS.has(command));
  }

  failures(): number {
    return [...this.byCommand.values()].reduce((sum, tally) => sum + tally.failures, 0);
  }

  private sum(include: (command: string) => boolean): number {
    let total = 0;
    for (const [command, tally] of this.byCommand) if (include(command)) total += tally.units;
    return total;
  }

  private entry(command: string): CommandTally {
    let tally = this.byCommand.get(command);
    if (!tally) this.byCommand.set(command, (tally = { calls: 0, failures: 0, units: 0, byTarget: new Map() }));
    return tally;
  }
}

const currentTally = new AsyncLocalStorage<CapacityTally>();

/** Runs `work` and returns what it consumed along with its result. */
export async function metered<T>(work: () => Promise<T>): Promise<{ result: T; tally: CapacityTally }> {
  const tally = new CapacityTally();
  const result = await currentTally.run(tally, work);
  return { result, tally };
}

function asList(consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): ConsumedCapacity[] {
  if (consumed === undefined) return [];
  return Array.isArray(consumed) ? consumed : [consumed];
}

function capacityMiddleware(): InitializeMiddleware<object, MetadataBearer> {
  return (next, context) => async (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<MetadataBearer>> => {
    const command = (context as { commandName?: string }).commandName ?? 'UnknownCommand';
    const tally = currentTally.getStore();
    // Only data commands take the parameter, and only work being metered needs it.
    if (!tally || !(READ_COMMANDS.has(command) || WRITE_COMMANDS.has(command))) return next(args);
    const input = args.input as { ReturnConsumedCapacity?: string };
    input.ReturnConsumedCapacity = 'INDEXES';
    try {
      const result = await next(args);
      tally.record(command, asList((result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity));
      return result;
    } catch (error) {
      // A cancelled transaction or failed condition still costs capacity in AWS, but the error carries no figure: counted, not priced.
      tally.recordFailure(command);
      throw error;
    }
  };
}

/** `inner`'s clients, each metered once. */
export function meteredTableAccess(inner: TableAccess): TableAccess {
  const instrumented = new WeakSet<DynamoDBDocumentClient>();
  const instrument = (client: DynamoDBDocumentClient): DynamoDBDocumentClient => {
    if (!instrumented.has(client)) {
      client.middlewareStack.add(capacityMiddleware(), { step: 'initialize', name: 'benchConsumedCapacity', priority: 'high' });
      instrumented.add(client);
    }
    return client;
  };
  return {
    tableName: inner.tableName,
    forTenant: (tenantId) => instrument(inner.forTenant(tenantId)),
    forAdminIndex: () => instrument(inner.forAdminIndex()),
    forExternalIdRegistry: () => instrument(inner.forExternalIdRegistry()),
  };
}
