import { report } from '../support/capture-logs';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { adminIndexClient, scopedTableClient } from '../../lambdas/shared/access/table-access';
import { ADMIN_INDEX } from '../../lambdas/shared/table/table-schema';
import { expectDenialsInThisFile } from '../support/policy-ledger';
import { createTestTable, type TestTable } from '../support/test-table';

expectDenialsInThisFile('this file sends cross-tenant commands to see each one refused');

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable();
});

const denied = { name: 'AccessDeniedException' };

describe('scopedTableClient against DynamoDB Local with the deployed policy', () => {
  it('lets a tenant write and read its own items', async () => {
    const acme = scopedTableClient('acme');
    await acme.send(new PutCommand({ TableName: table.tableName, Item: { PK: 'TENANT#acme', SK: 'ALERT#1', v: 1 } }));
    const { Item } = await acme.send(new GetCommand({ TableName: table.tableName, Key: { PK: 'TENANT#acme', SK: 'ALERT#1' } }));
    expect(Item).toMatchObject({ v: 1 });
  });

  it("denies reading another tenant's item", async () => {
    await expect(
      scopedTableClient('beta').send(new GetCommand({ TableName: table.tableName, Key: { PK: 'TENANT#acme', SK: 'ALERT#1' } })),
    ).rejects.toMatchObject(denied);
  });

  it('denies TENANT#acme2 to acme although it shares the prefix', async () => {
    await expect(
      scopedTableClient('acme').send(new PutCommand({ TableName: table.tableName, Item: { PK: 'TENANT#acme2', SK: 'X' } })),
    ).rejects.toMatchObject(denied);
  });

  it('allows partitions under TENANT#<id>#, which the second LeadingKeys pattern names', async () => {
    const acme = scopedTableClient('acme');
    await acme.send(new PutCommand({ TableName: table.tableName, Item: { PK: 'TENANT#acme#INCIDENTS', SK: 'X' } }));
    const { Items } = await acme.send(
      new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'TENANT#acme#INCIDENTS' } }),
    );
    expect(Items).toHaveLength(1);
  });

  it('denies a Scan, which carries no leading keys', async () => {
    await expect(scopedTableClient('acme').send(new ScanCommand({ TableName: table.tableName }))).rejects.toMatchObject(denied);
  });

  it('denies the cross-tenant admin index (GSI1) to a tenant session', async () => {
    await expect(
      scopedTableClient('acme').send(
        new QueryCommand({
          TableName: table.tableName,
          IndexName: ADMIN_INDEX.name,
          KeyConditionExpression: 'GSI1PK = :pk',
          ExpressionAttributeValues: { ':pk': 'TENANT#acme' },
        }),
      ),
    ).rejects.toMatchObject(denied);
  });

  it('denies a batch or transaction that mixes in one item of another tenant', async () => {
    await expect(
      scopedTableClient('acme').send(
        new BatchGetCommand({
          RequestItems: { [table.tableName]: { Keys: [{ PK: 'TENANT#acme', SK: 'ALERT#1' }, { PK: 'TENANT#beta', SK: 'ALERT#1' }] } },
        }),
      ),
    ).rejects.toMatchObject(denied);
    await expect(
      scopedTableClient('acme').send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table.tableName, Item: { PK: 'TENANT#acme', SK: 'A' } } },
            { Put: { TableName: table.tableName, Item: { PK: 'TENANT#beta', SK: 'A' } } },
          ],
        }),
      ),
    ).rejects.toMatchObject(denied);
  });

  it('lets the admin read role query GSI1 and nothing else', async () => {
    const admin = adminIndexClient();
    await expect(
      admin.send(
        new QueryCommand({
          TableName: table.tableName,
          IndexName: ADMIN_INDEX.name,
          KeyConditionExpression: 'GSI1PK = :pk',
          ExpressionAttributeValues: { ':pk': 'TENANTS' },
        }),
      ),
    ).resolves.toBeDefined();
    await expect(
      admin.send(new GetCommand({ TableName: table.tableName, Key: { PK: 'TENANT#acme', SK: 'ALERT#1' } })),
    ).rejects.toMatchObject(denied);
  });

  it('refuses tenant ids that could widen the key pattern before any request is made', () => {
    for (const bad of ['acme*', 'ac#me', '../acme', 'ACME', 'acmé', 'a', '', 'acme_x']) {
      expect(() => scopedTableClient(bad)).toThrow('invalid tenant id');
    }
  });
});

describe('hand-made cross-tenant commands through a scoped session', () => {
  /** Every way a request could name another tenant's items; each must be denied, none may reach DynamoDB. */
  const crossTenantCommands = () => {
    const t = table.tableName;
    const victimKeys = ['TENANT#beta', 'TENANT#beta#INCIDENTS#new', 'TENANT#acme2', 'TENANT#', 'TENANT#*', 'EXTERNALID#x', 'TENANTS', ''];
    const commands: Array<[string, (client: DynamoDBDocumentClient) => Promise<unknown>]> = [];
    for (const pk of victimKeys) {
      commands.push([`GetItem ${pk}`, (client) => client.send(new GetCommand({ TableName: t, Key: { PK: pk, SK: 'X' } }))]);
      commands.push([`PutItem ${pk}`, (client) => client.send(new PutCommand({ TableName: t, Item: { PK: pk, SK: 'X' } }))]);
      commands.push([`Query ${pk}`, (client) => client.send(new QueryCommand({ TableName: t, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pk } }))]);
      commands.push([
        `Query GSI1 ${pk}`,
        (client) => client.send(new QueryCommand({ TableName: t, IndexName: ADMIN_INDEX.name, KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': pk } })),
      ]);
    }
    for (const gsi1 of ['SEVERITY#critical', 'STATUS#new', 'TENANT#acme']) {
      commands.push([
        `Query GSI1 ${gsi1}`,
        (client) => client.send(new QueryCommand({ TableName: t, IndexName: ADMIN_INDEX.name, KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': gsi1 } })),
      ]);
    }
    commands.push(['Scan', (client) => client.send(new ScanCommand({ TableName: t }))]);
    commands.push(['Scan GSI1', (client) => client.send(new ScanCommand({ TableName: t, IndexName: ADMIN_INDEX.name }))]);
    commands.push(['BatchGet own + other', (client) => client.send(new BatchGetCommand({ RequestItems: { [t]: { Keys: [{ PK: 'TENANT#acme', SK: 'A' }, { PK: 'TENANT#beta', SK: 'A' }] } } }))]);
    commands.push([
      'BatchWrite own put + other delete',
      (client) => client.send(new BatchWriteCommand({ RequestItems: { [t]: [{ PutRequest: { Item: { PK: 'TENANT#acme', SK: 'A' } } }, { DeleteRequest: { Key: { PK: 'TENANT#beta', SK: 'A' } } }] } })),
    ]);
    commands.push([
      'TransactWrite own update + other condition check',
      (client) => client.send(new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName: t, Key: { PK: 'TENANT#acme', SK: 'A' }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 1 } } },
          { ConditionCheck: { TableName: t, Key: { PK: 'TENANT#beta', SK: 'A' }, ConditionExpression: 'attribute_exists(PK)' } },
        ],
      })),
    ]);
    commands.push(['TransactGet own + other', (client) => client.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: t, Key: { PK: 'TENANT#acme', SK: 'A' } } }, { Get: { TableName: t, Key: { PK: 'TENANT#beta', SK: 'A' } } }] }))]);
    commands.push(['DeleteItem other', (client) => client.send(new DeleteCommand({ TableName: t, Key: { PK: 'TENANT#beta', SK: 'A' } }))]);
    commands.push(['UpdateItem other', (client) => client.send(new UpdateCommand({ TableName: t, Key: { PK: 'TENANT#beta', SK: 'A' }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 1 } }))]);
    return commands;
  };

  it('denies 100% of them', async () => {
    const client = scopedTableClient('acme');
    const outcomes: Array<[string, string]> = [];
    for (const [name, send] of crossTenantCommands()) {
      try {
        await send(client);
        outcomes.push([name, 'ALLOWED']);
      } catch (error) {
        outcomes.push([name, (error as Error).name]);
      }
    }
    expect(outcomes.filter(([, outcome]) => outcome !== 'AccessDeniedException')).toEqual([]);
    expect(outcomes.length).toBeGreaterThanOrEqual(40);
    report(`cross-tenant commands denied: ${outcomes.length}/${outcomes.length}`);
  });
});
