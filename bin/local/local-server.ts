import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { localTableAccess, type PolicyDecision } from '../../lambdas/shared/access/local-policy-enforcement';
import { useTableAccess } from '../../lambdas/shared/access/table-access';
import { forgetServerSecrets } from '../../lambdas/shared/auth/server-secrets';
import { ENV } from '../../lambdas/shared/runtime/environment';
import { jsonResponse } from '../../lambdas/shared/http/responses';
import './promise-with-resolvers';
import { createTable, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { createLocalGateway } from './http-adapter';
import { createLocalAdminIssuer } from './local-admin-issuer';
import { tenantThrottle } from './tenant-throttle';

/**
 * The whole API on one port, as `npm start` and the HTTP-level tests run it: DynamoDB
 * Local, the local IAM enforcement, the local admin issuer, and the same handlers and
 * authorizers as in AWS behind a small API Gateway stand-in.
 */
export interface LocalServerOptions {
  /** @default 3000; 0 picks a free port */
  readonly port?: number;
  /** Reuse a running DynamoDB Local instead of starting one. */
  readonly dynamoDbEndpoint?: string;
  /** @default 'alert-whisperer' */
  readonly tableName?: string;
  /** Keep data (and the pepper that makes stored key hashes valid) across restarts. @default in memory */
  readonly dataDir?: string;
  readonly onPolicyDecision?: (decision: PolicyDecision) => void;
}

export interface LocalServer {
  readonly url: string;
  readonly tableName: string;
  readonly dynamoDbEndpoint: string;
  adminToken(): Promise<string>;
  stop(): Promise<void>;
}

function loadOrCreatePepper(dataDir: string | undefined): string {
  const file = dataDir ? join(dataDir, 'pepper') : undefined;
  if (file && existsSync(file)) return readFileSync(file, 'utf8').trim();
  const pepper = randomBytes(32).toString('base64');
  if (file) writeFileSync(file, pepper, { mode: 0o600 });
  return pepper;
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const tableName = options.tableName ?? 'alert-whisperer';
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  let dynamoDb: DynamoDbLocal | undefined;
  const endpoint = options.dynamoDbEndpoint ?? (dynamoDb = await startDynamoDbLocal({ dataDir: options.dataDir })).endpoint;
  await createTable(endpoint, tableName);
  useTableAccess(localTableAccess({ tableName, endpoint, onDecision: options.onPolicyDecision }));

  process.env[ENV.localApiKeyPepper] = loadOrCreatePepper(options.dataDir);
  // No route to SNS's signing certificates from here; AWS deployments always verify.
  process.env[ENV.snsSignatureVerification] = 'off';
  forgetServerSecrets();

  // The port is needed before the handlers load (the admin issuer's URL); requests that
  // arrive meanwhile wait for the gateway instead of hanging unanswered.
  const gateway = Promise.withResolvers<RequestListener>();
  const server: Server = createServer((request, response) => {
    void gateway.promise.then((handle) => handle(request, response));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 3000, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const issuer = await createLocalAdminIssuer(url);
  process.env[ENV.adminJwtIssuer] = issuer.issuer;
  process.env[ENV.adminJwtAudience] = issuer.audience;
  process.env[ENV.adminJwksUrl] = `${url}${issuer.jwksPath}`;

  // Imported only now: the handlers read their configuration from the environment set above.
  const [health, alerts, incidents, config, runbooks, admin, apiKeyAuthorizer, adminAuthorizer, workflow] = await Promise.all([
    import('../../lambdas/health'),
    import('../../lambdas/alerts'),
    import('../../lambdas/incidents'),
    import('../../lambdas/config'),
    import('../../lambdas/runbooks'),
    import('../../lambdas/admin'),
    import('../../lambdas/api-key-authorizer'),
    import('../../lambdas/admin-authorizer'),
    import('./local-runbook-workflow'),
  ]);
  const { useRunbookWorkflowStarter } = await import('../../lambdas/shared/runbooks/workflow-starter');
  useRunbookWorkflowStarter(workflow.localRunbookWorkflow());

  gateway.resolve(
    createLocalGateway({
      functions: {
        health: health.handler,
        alerts: alerts.handler,
        incidents: incidents.handler,
        config: config.handler,
        runbooks: runbooks.handler,
        admin: admin.handler,
      },
      authorizers: { 'api-key': apiKeyAuthorizer.handler, admin: adminAuthorizer.handler },
      beforeHandler: tenantThrottle(),
      localRoutes: {
        'GET /local/admin-token': async () => jsonResponse(200, { token: await issuer.issueToken() }),
        [`GET ${issuer.jwksPath}`]: async () => jsonResponse(200, issuer.jwks),
      },
    }),
  );

  return {
    url,
    tableName,
    dynamoDbEndpoint: endpoint,
    adminToken: () => issuer.issueToken(),
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await dynamoDb?.stop();
    },
  };
}
