import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type { AuthorizerContext } from './caller';

/**
 * The unit API Gateway's REQUEST authorizers answer with. The allow covers the whole stage
 * (`<api>/<stage>/*`): a cached answer must serve every route the caller may call, and
 * per-route scopes are enforced by the handlers from the route table.
 */
export function allowStage(methodArn: string, principalId: string, context: AuthorizerContext, usageIdentifierKey?: string): APIGatewayAuthorizerResult {
  const [arnPrefix, apiId, stage] = splitMethodArn(methodArn);
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${arnPrefix}/${apiId}/${stage}/*` }],
    },
    context,
    ...(usageIdentifierKey ? { usageIdentifierKey } : {}),
  };
}

/** `arn:aws:execute-api:region:account:apiId/stage/METHOD/path` → [`arn:aws:execute-api:region:account`, apiId, stage]. */
function splitMethodArn(methodArn: string): [string, string, string] {
  const [arnPrefixWithApi, stage = '*'] = methodArn.split('/');
  const lastColon = arnPrefixWithApi.lastIndexOf(':');
  return [arnPrefixWithApi.slice(0, lastColon), arnPrefixWithApi.slice(lastColon + 1), stage];
}

/** API Gateway turns exactly this error message into a 401 (gateway response UNAUTHORIZED). */
export const UNAUTHORIZED = 'Unauthorized';

export function unauthorized(): Error {
  return new Error(UNAUTHORIZED);
}
