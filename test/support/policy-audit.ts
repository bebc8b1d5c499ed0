import { report } from './capture-logs';
import { ledger } from './policy-ledger';

/** Runs after every integration file: no unexpected policy denial, and the count of calls checked. */
afterAll(() => {
  const { decisions, denialsExpectedBecause } = ledger();
  const denied = decisions.filter((decision) => !decision.allowed);
  report(`policy decisions checked: ${decisions.length}, denied: ${denied.length}${denialsExpectedBecause ? ` (expected: ${denialsExpectedBecause})` : ''}`);
  if (denialsExpectedBecause === undefined) {
    expect(denied.map((decision) => `${decision.request.action} ${decision.request.leadingKeys.join(',')} as ${JSON.stringify(decision.session.principalTags)}`)).toEqual([]);
  }
});
