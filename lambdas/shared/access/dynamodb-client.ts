import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The only place a DynamoDB client is constructed in `lambdas/`. Handlers never call this:
 * they receive clients from `scopedTableClient` / `adminIndexClient`, which decide whose
 * credentials (and, locally, whose policy) every request carries.
 */
export function createDocumentClient(config: DynamoDBClientConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ maxAttempts: 3, ...config });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}
