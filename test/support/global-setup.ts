import { startDynamoDbLocal, type DynamoDbLocal } from '../../bin/local/dynamodb-local';

declare global {
  var __DYNAMODB_LOCAL__: DynamoDbLocal | undefined;
}

/** One real DynamoDB Local for the integration project; each test file creates its own table in it. */
export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dynamoDb = await startDynamoDbLocal();
  globalThis.__DYNAMODB_LOCAL__ = dynamoDb;
  process.env.AW_TEST_DYNAMODB_ENDPOINT = dynamoDb.endpoint;
}
