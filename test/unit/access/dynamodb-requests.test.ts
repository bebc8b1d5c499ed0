import { authorizationRequestsFor, queryPartitionValue } from '../../../lambdas/shared/access/dynamodb-requests';

const s = (value: string) => ({ S: value });

describe('what IAM sees of a DynamoDB request', () => {
  it('reads the partition key of single-item commands', () => {
    expect(authorizationRequestsFor('GetItemCommand', { TableName: 't', Key: { PK: s('TENANT#a'), SK: s('X') } })).toEqual([
      { action: 'dynamodb:GetItem', tableName: 't', leadingKeys: ['TENANT#a'] },
    ]);
    expect(authorizationRequestsFor('PutItemCommand', { TableName: 't', Item: { PK: s('TENANT#b'), SK: s('X') } })[0].leadingKeys).toEqual(['TENANT#b']);
  });

  it("reads a Query's partition value through attribute names, on the table or an index", () => {
    expect(
      queryPartitionValue({
        KeyConditionExpression: '#sk > :from AND #pk = :pk',
        ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
        ExpressionAttributeValues: { ':pk': s('TENANT#a'), ':from': s('A') },
      }),
    ).toEqual(['TENANT#a']);
    expect(
      queryPartitionValue({ IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :v', ExpressionAttributeValues: { ':v': s('STATUS#new') } }),
    ).toEqual(['STATUS#new']);
    // A condition on the table's PK says nothing about an index's partition.
    expect(queryPartitionValue({ IndexName: 'GSI1', KeyConditionExpression: 'PK = :v', ExpressionAttributeValues: { ':v': s('TENANT#a') } })).toEqual([]);
  });

  it('gathers every partition of a batch into one request per table', () => {
    const [request] = authorizationRequestsFor('BatchWriteItemCommand', {
      RequestItems: { t: [{ PutRequest: { Item: { PK: s('TENANT#a') } } }, { DeleteRequest: { Key: { PK: s('TENANT#b') } } }] },
    });
    expect(request).toEqual({ action: 'dynamodb:BatchWriteItem', tableName: 't', leadingKeys: ['TENANT#a', 'TENANT#b'] });
  });

  it('authorises a transaction item by item, with the item-level actions', () => {
    const requests = authorizationRequestsFor('TransactWriteItemsCommand', {
      TransactItems: [
        { Put: { TableName: 't', Item: { PK: s('TENANT#a') } } },
        { Update: { TableName: 't', Key: { PK: s('TENANT#a') } } },
        { ConditionCheck: { TableName: 't', Key: { PK: s('TENANT#a') } } },
        { Delete: { TableName: 't', Key: { PK: s('TENANT#b') } } },
      ],
    });
    expect(requests.map((request) => [request.action, request.leadingKeys[0]])).toEqual([
      ['dynamodb:PutItem', 'TENANT#a'],
      ['dynamodb:UpdateItem', 'TENANT#a'],
      ['dynamodb:ConditionCheckItem', 'TENANT#a'],
      ['dynamodb:DeleteItem', 'TENANT#b'],
    ]);
  });

  it('gives Scan and other keyless commands no leading keys at all', () => {
    expect(authorizationRequestsFor('ScanCommand', { TableName: 't' })).toEqual([{ action: 'dynamodb:Scan', tableName: 't', indexName: undefined, leadingKeys: [] }]);
    expect(authorizationRequestsFor('ExecuteStatementCommand', {})[0]).toMatchObject({ action: 'dynamodb:ExecuteStatement', leadingKeys: [] });
  });
});
