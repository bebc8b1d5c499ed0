import { GetCommand, PutCommand, QueryCommand, ScanCommand, BatchGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { adminIndexClient, scopedTableClient } from '../../lambdas/shared/access/table-access';
import { ADMIN_INDEX, TENANT_INDEX } from '../../lambdas/shared/table/table-schema';
import { createTestTable, type TestTable } from '../support/test-table';

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

  it('allows the tenant-local index under TENANT#<id>#', async () => {
    const { Items } = await scopedTableClient('acme').send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: TENANT_INDEX.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TENANT_INDEX.partitionKey },
        ExpressionAttributeValues: { ':pk': 'TENANT#acme#INCIDENTS#new' },
      }),
    );
    expect(Items).toEqual([]);
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
