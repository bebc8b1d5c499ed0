import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { partitionKeyOf } from '../table/table-schema';

/**
 * What IAM sees of one DynamoDB request: the action, the table or index it names, and the
 * partition keys it touches (`dynamodb:LeadingKeys`). A transaction is authorised item by
 * item, as AWS does, so one command may yield several requests.
 */
export interface AuthorizationRequest {
  readonly action: string;
  readonly tableName: string;
  readonly indexName?: string;
  readonly leadingKeys: readonly string[];
}

type Item = Record<string, AttributeValue>;

interface KeyedInput {
  TableName?: string;
  Key?: Item;
  Item?: Item;
}

interface QueryInput {
  TableName?: string;
  IndexName?: string;
  KeyConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

interface BatchGetInput {
  RequestItems?: Record<string, { Keys?: Item[] }>;
}

interface BatchWriteInput {
  RequestItems?: Record<string, Array<{ PutRequest?: { Item?: Item }; DeleteRequest?: { Key?: Item } }>>;
}

interface TransactWriteInput {
  TransactItems?: Array<{
    Put?: KeyedInput;
    Update?: KeyedInput;
    Delete?: KeyedInput;
    ConditionCheck?: KeyedInput;
  }>;
}

interface TransactGetInput {
  TransactItems?: Array<{ Get?: KeyedInput }>;
}

const TRANSACT_WRITE_ACTIONS = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
} as const;

function partitionValue(item: Item | undefined, attribute: string): string[] {
  const value = item?.[attribute];
  if (!value) return [];
  if ('S' in value && value.S !== undefined) return [value.S];
  if ('N' in value && value.N !== undefined) return [value.N];
  return [];
}

function keyedRequest(action: string, input: KeyedInput): AuthorizationRequest {
  return {
    action,
    tableName: input.TableName ?? '',
    leadingKeys: partitionValue(input.Key ?? input.Item, partitionKeyOf()),
  };
}

/**
 * The partition value a Query's key condition pins, read from the expression the way
 * DynamoDB reads it: `<pk> = :value` where `<pk>` is the table's or index's partition key.
 */
export function queryPartitionValue(input: QueryInput): string[] {
  const partitionKey = partitionKeyOf(input.IndexName);
  const expression = input.KeyConditionExpression ?? '';
  const names = input.ExpressionAttributeNames ?? {};
  for (const match of expression.matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    const [, nameToken, valueToken] = match;
    const attribute = nameToken.startsWith('#') ? names[nameToken] : nameToken;
    if (attribute === partitionKey) return partitionValue(input.ExpressionAttributeValues ?? {}, valueToken);
  }
  return [];
}

export function authorizationRequestsFor(commandName: string, input: unknown): AuthorizationRequest[] {
  const action = `dynamodb:${commandName.replace(/Command$/, '')}`;
  switch (commandName) {
    case 'GetItemCommand':
    case 'PutItemCommand':
    case 'UpdateItemCommand':
    case 'DeleteItemCommand':
      return [keyedRequest(action, input as KeyedInput)];
    case 'QueryCommand': {
      const query = input as QueryInput;
      return [{ action, tableName: query.TableName ?? '', indexName: query.IndexName, leadingKeys: queryPartitionValue(query) }];
    }
    case 'BatchGetItemCommand':
      return Object.entries((input as BatchGetInput).RequestItems ?? {}).map(([tableName, { Keys = [] }]) => ({
        action,
        tableName,
        leadingKeys: Keys.flatMap((key) => partitionValue(key, partitionKeyOf())),
      }));
    case 'BatchWriteItemCommand':
      return Object.entries((input as BatchWriteInput).RequestItems ?? {}).map(([tableName, writes]) => ({
        action,
        tableName,
        leadingKeys: writes.flatMap((write) =>
          partitionValue(write.PutRequest?.Item ?? write.DeleteRequest?.Key, partitionKeyOf()),
        ),
      }));
    case 'TransactWriteItemsCommand':
      return ((input as TransactWriteInput).TransactItems ?? []).flatMap((entry) =>
        (Object.keys(TRANSACT_WRITE_ACTIONS) as Array<keyof typeof TRANSACT_WRITE_ACTIONS>)
          .filter((kind) => entry[kind])
          .map((kind) => keyedRequest(TRANSACT_WRITE_ACTIONS[kind], entry[kind] as KeyedInput)),
      );
    case 'TransactGetItemsCommand':
      return ((input as TransactGetInput).TransactItems ?? []).map((entry) =>
        keyedRequest('dynamodb:GetItem', entry.Get ?? {}),
      );
    default: {
      // Scan, PartiQL, DescribeTable, …: whatever they name, they carry no leading keys.
      const named = input as { TableName?: string; IndexName?: string };
      return [{ action, tableName: named.TableName ?? '*', indexName: named.IndexName, leadingKeys: [] }];
    }
  }
}
