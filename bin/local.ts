import { startLocalServer } from './local/local-server';

/**
 * `npm start`: the whole API on 127.0.0.1:${PORT:-3000} with an embedded DynamoDB Local,
 * a demo tenant, its API key and an admin token printed once.
 */
async function main(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  // Local machines may run Node 20; Lambda runs 22, which the SDK's notice asks for.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const server = await startLocalServer({ port: Number(process.env.PORT ?? 3000), dataDir: process.env.AW_DATA_DIR || undefined });
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const token = await server.adminToken();
  const demoKey = await seedDemoTenant(server.url, token);
  console.log(
    [
      `Alert Whisperer is listening on ${server.url} (DynamoDB Local at ${server.dynamoDbEndpoint}, table ${server.tableName})`,
      demoKey ? `demo tenant API key (all scopes, shown once): ${demoKey}` : 'demo tenant already exists (AW_DATA_DIR); create a key with POST /admin/v1/tenants/demo/api-keys',
      `admin token (12 h; more from GET /local/admin-token): ${token}`,
      'Ctrl-C stops the server and DynamoDB Local.',
    ].join('\n'),
  );
}

/** Seeds tenant `demo` through the public admin route, the way an MSP would. */
async function seedDemoTenant(url: string, token: string): Promise<string | undefined> {
  const response = await fetch(`${url}/admin/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'demo', name: 'Demo Client Ltd' }),
  });
  if (response.status === 409) return undefined;
  if (response.status !== 201) throw new Error(`seeding the demo tenant failed with ${response.status}`);
  const created = (await response.json()) as { api_key: { key: string } };
  return created.api_key.key;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
