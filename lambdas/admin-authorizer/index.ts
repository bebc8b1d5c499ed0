import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { AdminTokenRejected, adminTokenVerifierConfig, verifyAdminToken } from '../shared/auth/admin-token';
import { allowStage, unauthorized } from '../shared/auth/authorizer-policy';
import { adminAuthorizerContext } from '../shared/auth/caller';
import { headerValue } from '../shared/http/headers';
import { logger, requestLogging } from '../shared/observability/logger';

/** MSP staff: `Authorization: Bearer <JWT>` in the `msp-admin` group. */
export async function authorizeAdmin(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const authorization = headerValue(event.headers, 'authorization');
  const token = authorization?.match(/^Bearer\s+([\w-]+\.[\w-]+\.[\w-]+)$/)?.[1];
  if (!token) throw unauthorized();
  try {
    const admin = await verifyAdminToken(token, adminTokenVerifierConfig());
    return allowStage(event.methodArn, `admin/${admin.subject}`, adminAuthorizerContext({ subject: admin.subject }));
  } catch (error) {
    if (!(error instanceof AdminTokenRejected)) throw error;
    logger.info('admin token refused', { reason: error.message });
    throw unauthorized();
  }
}

export const handler = middy<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>()
  .use(requestLogging())
  .handler(authorizeAdmin);
