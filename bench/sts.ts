import { Readable } from 'node:stream';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeserializeMiddleware, MetadataBearer } from '@smithy/types';
import { mockClient } from 'aws-sdk-client-mock';
import { stsTableAccess } from '../lambdas/shared/access/sts-table-access';
import { withConcurrency } from './workload';

/**
 * STS calls per 1,000 tenant requests through the AWS table access (`stsTableAccess`) with
 * its real credential cache: STS is a counting stand-in, and every request is a real
 * `send` of a GetItem through the tenant's client, so credentials are resolved exactly where
 * the SDK resolves them (the signer). Only the HTTP exchange with DynamoDB is replaced, by
 * an empty 200 answer, right after the request is signed.
 */

export interface StsResult {
  readonly requests: number;
  readonly tenants: number;
  readonly concurrency: number;
  readonly assumeRoleCalls: number;
  readonly callsPer1000Requests: number;
}

const SESSION_MINUTES = 15;

/** Answers inside the deserializer, after signing: a GetItem that found nothing. */
function emptyDynamoDbAnswer(): DeserializeMiddleware<object, MetadataBearer> {
  return () => async () => ({
    response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from('{}')]) },
    output: { $metadata: {} },
  });
}

export async function measureStsCalls(options: { requests: number; tenants: number; concurrency: number }): Promise<StsResult> {
  const sts = mockClient(STSClient);
  let issued = 0;
  sts.on(AssumeRoleCommand).callsFake(() => {
    issued += 1;
    return {
      Credentials: {
        AccessKeyId: `ASIABENCH${String(issued).padStart(8, '0')}`,
        SecretAccessKey: 'bench-secret',
        SessionToken: `bench-session-${issued}`,
        Expiration: new Date(Date.now() + SESSION_MINUTES * 60_000),
      },
    };
  });
  try {
    const tableName = 'alert-whisperer';
    const access = stsTableAccess({
      tableName,
      tenantDataAccessRoleArn: 'arn:aws:iam::000000000000:role/TenantDataAccessRole',
      sts: new STSClient({ region: 'us-east-1' }),
    });
    const stubbed = new WeakSet<DynamoDBDocumentClient>();
    const tenants = Array.from({ length: options.tenants }, (_, index) => `bench-sts-${index}`);
    // Round-robin over the tenants, with several in flight: concurrent first requests of one tenant must share one AssumeRole.
    const requests = Array.from({ length: options.requests }, (_, index) => tenants[index % tenants.length]);
    await withConcurrency(requests, options.concurrency, async (tenantId) => {
      const client = access.forTenant(tenantId);
      if (!stubbed.has(client)) {
        client.middlewareStack.addRelativeTo(emptyDynamoDbAnswer(), { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'benchNoNetwork' });
        stubbed.add(client);
      }
      await client.send(new GetCommand({ TableName: tableName, Key: { PK: `TENANT#${tenantId}`, SK: 'PROFILE' } }));
    });
    const assumeRoleCalls = sts.commandCalls(AssumeRoleCommand).length;
    return {
      requests: options.requests,
      tenants: options.tenants,
      concurrency: options.concurrency,
      assumeRoleCalls,
      callsPer1000Requests: (assumeRoleCalls / options.requests) * 1000,
    };
  } finally {
    sts.restore();
  }
}
