import { randomUUID } from 'node:crypto';
import { createTable } from '../../bin/local/dynamodb-local';
import { localTableAccess, type PolicyDecision } from '../../lambdas/shared/access/local-policy-enforcement';
import { useTableAccess, type TableAccess } from '../../lambdas/shared/access/table-access';
import { recordDecision } from './policy-ledger';

export interface TestTable {
  readonly endpoint: string;
  readonly tableName: string;
  readonly access: TableAccess;
  /** Every policy decision taken for this table's clients, in order. */
  readonly decisions: PolicyDecision[];
}

export function dynamoDbEndpoint(): string {
  const endpoint = process.env.AW_TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('integration tests need the DynamoDB Local started by test/support/global-setup.ts');
  return endpoint;
}

/**
 * A fresh table in the shared DynamoDB Local, installed as this test file's table access,
 * with local IAM enforcement recording every decision.
 */
export async function createTestTable(): Promise<TestTable> {
  const endpoint = dynamoDbEndpoint();
  const tableName = `aw-test-${randomUUID().slice(0, 8)}`;
  await createTable(endpoint, tableName);
  const decisions: PolicyDecision[] = [];
  const access = localTableAccess({ tableName, endpoint, onDecision: (decision) => {
      decisions.push(decision);
      recordDecision(decision);
    },
  });
  useTableAccess(access);
  return { endpoint, tableName, access, decisions };
}

/** Denials in a flow that should have needed none: the suite fails on any. */
export function deniedDecisions(table: TestTable): PolicyDecision[] {
  return table.decisions.filter((decision) => !decision.allowed);
}
