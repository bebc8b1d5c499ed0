import type { PolicyDecision } from '../../lambdas/shared/access/local-policy-enforcement';

/**
 * Every decision the local IAM enforcement takes in the current test file, whichever way
 * the file reaches the table (a test table, the local server, its own DynamoDB Local).
 * `policy-audit.ts` fails the file on any denial unless the file said why it expects them:
 * in a same-tenant flow, one denial means a handler reached outside its tenant's keys.
 */
const decisions: PolicyDecision[] = [];
let denialsExpectedBecause: string | undefined;

export function recordDecision(decision: PolicyDecision): void {
  decisions.push(decision);
}

/** For a file that sends cross-tenant commands on purpose, to see them refused. */
export function expectDenialsInThisFile(reason: string): void {
  denialsExpectedBecause = reason;
}

export function ledger(): { readonly decisions: readonly PolicyDecision[]; readonly denialsExpectedBecause?: string } {
  return { decisions, denialsExpectedBecause };
}
