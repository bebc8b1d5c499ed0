import * as cdk from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AlertWhispererStack } from '../lib/alert-whisperer-stack';
import { ClientAccessStack } from '../lib/client-access-stack';
import { adminOidcFromContext } from '../lib/constructs/admin-identity';

/**
 * The CDK app: the MSP's stack, and the template each client deploys in its own account.
 * Context (all optional): adminOidcIssuer + adminOidcAudience [+ adminOidcJwksUrl, adminGroupsClaim],
 * apiKeyAuthorizerCacheTtlSeconds, webAclArn, watchdogEmail, nag=true.
 */
const app = new cdk.App();

function stringContext(key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context ${key} must be a string.`);
  return value;
}

const cacheTtl = stringContext('apiKeyAuthorizerCacheTtlSeconds');
if (cacheTtl !== undefined && !/^\d+$/.test(cacheTtl)) throw new Error('context apiKeyAuthorizerCacheTtlSeconds must be whole seconds (0-3600).');

new AlertWhispererStack(app, 'AlertWhisperer', {
  adminOidc: adminOidcFromContext(app),
  apiKeyAuthorizerCacheTtl: cacheTtl === undefined ? undefined : cdk.Duration.seconds(Number(cacheTtl)),
  webAclArn: stringContext('webAclArn'),
  watchdogEmail: stringContext('watchdogEmail'),
});

new ClientAccessStack(app, 'AlertWhispererClientAccess');

// `cdk synth -c nag=true` prints every unsuppressed AwsSolutions finding; the infra tests apply the checks themselves.
if (String(app.node.tryGetContext('nag')) === 'true') cdk.Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
