import { randomUUID } from 'node:crypto';
import { startLocalServer, type LocalServer } from '../../bin/local/local-server';
import type { PolicyDecision } from '../../lambdas/shared/access/local-policy-enforcement';
import { recordDecision } from './policy-ledger';
import { noteHandlerCall, rememberSecret, rememberSecretsInAnswer } from './secret-patterns';
import { dynamoDbEndpoint } from './test-table';

/**
 * The API exactly as `npm start` serves it (HTTP stand-in, authorizers, handlers, local
 * IAM enforcement), on a free port, against the suite's DynamoDB Local and a fresh table.
 */
export interface LocalApi {
  readonly server: LocalServer;
  readonly decisions: PolicyDecision[];
  request(method: string, path: string, options?: RequestOptions): Promise<ApiAnswer>;
  adminToken(): Promise<string>;
  createTenant(id: string): Promise<string>;
  stop(): Promise<void>;
}

export interface RequestOptions {
  readonly key?: string;
  readonly token?: string;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly rawBody?: string | Buffer;
}

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // Response bodies are JSON of many shapes; tests read into them freely.
  readonly body: Record<string, any> | undefined;
}

export async function startLocalApi(): Promise<LocalApi> {
  const decisions: PolicyDecision[] = [];
  const server = await startLocalServer({
    port: 0,
    dynamoDbEndpoint: dynamoDbEndpoint(),
    tableName: `aw-api-${randomUUID().slice(0, 8)}`,
    onPolicyDecision: (decision) => {
      decisions.push(decision);
      recordDecision(decision);
    },
  });
  const adminToken = async () => {
    const minted = await server.adminToken();
    rememberSecret('an admin token', minted);
    return minted;
  };
  const token = await adminToken();

  const request = async (method: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers['x-api-key'] = options.key;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | Buffer | undefined = options.rawBody;
    if (body === undefined && options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${server.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: Record<string, any> | undefined;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, any>) : undefined;
    } catch {
      parsed = undefined;
    }
    // Keys, webhook secrets and tokens shown in an answer are secrets the log check looks for.
    rememberSecretsInAnswer(parsed);
    // Only a route handler answers 2xx on a route-table path (the gateway's own answers are errors).
    if (response.ok && !path.startsWith('/local/')) noteHandlerCall();
    return { status: response.status, headers: response.headers, text, body: parsed };
  };

  return {
    server,
    decisions,
    request,
    adminToken,
    async createTenant(id) {
      const answer = await request('POST', '/admin/v1/tenants', { token, body: { id, name: `Tenant ${id}` } });
      if (answer.status !== 201) throw new Error(`creating tenant ${id}: ${answer.status} ${answer.text}`);
      return answer.body?.api_key.key as string;
    },
    stop: () => server.stop(),
  };
}
