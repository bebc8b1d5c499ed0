import { App, Aspects, Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AlertWhispererStack, type AlertWhispererStackProps } from '../../lib/alert-whisperer-stack';
import { ENV } from '../../lambdas/shared/runtime/environment';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Synthesized {
  readonly stack: AlertWhispererStack;
  readonly template: Template;
  readonly resources: Record<string, JsonObject>;
}

function synth(props: AlertWhispererStackProps): Synthesized {
  const app = new App();
  const stack = new AlertWhispererStack(app, 'AlertWhisperer', props);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  const template = Template.fromStack(stack);
  return { stack, template, resources: template.toJSON().Resources as Record<string, JsonObject> };
}

const WEB_ACL_ARN = 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/msp-shared/11111111-2222-3333-4444-555555555555';

// Two syntheses: what `cdk deploy` deploys by default, and every optional branch at once
// (OIDC staff, cached API key authorizer, WAF, watchdog email). Bundles are cached between them.
let defaults: Synthesized;
let options: Synthesized;

beforeAll(() => {
  defaults = synth({});
  options = synth({
    adminOidc: { issuer: 'https://login.example.com/msp', audience: 'alert-whisperer', groupsClaim: 'roles' },
    apiKeyAuthorizerCacheTtl: Duration.minutes(5),
    webAclArn: WEB_ACL_ARN,
    watchdogEmail: 'secops@example.com',
  });
}, 120_000);

/** Every suppression in a template: resource, rule id, reason. */
function suppressions({ resources }: Synthesized): { resource: string; id: string; reason: string }[] {
  return Object.entries(resources).flatMap(([logicalId, resource]) => {
    const metadata = resource.Metadata;
    const nag = typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) ? metadata.cdk_nag : undefined;
    const rules = typeof nag === 'object' && nag !== null && !Array.isArray(nag) ? nag.rules_to_suppress : undefined;
    return (Array.isArray(rules) ? rules : []).map((rule) => {
      const { id, reason } = rule as { id: string; reason: string };
      return { resource: logicalId, id, reason };
    });
  });
}

describe.each([
  ['the default stack', () => defaults],
  ['the stack with every option', () => options],
])('cdk-nag AwsSolutions on %s', (_name, synthesized) => {
  it('has zero unsuppressed errors', () => {
    const errors = Annotations.fromStack(synthesized().stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((finding) => `${finding.id}: ${String(finding.entry.data)}`)).toEqual([]);
  });

  it('has zero unsuppressed warnings', () => {
    const warnings = Annotations.fromStack(synthesized().stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(warnings.map((finding) => `${finding.id}: ${String(finding.entry.data)}`)).toEqual([]);
  });

  it('gives every suppression a one-line reason that says why', () => {
    const found = suppressions(synthesized());
    expect(found.length).toBeGreaterThan(0);
    for (const { resource, id, reason } of found) {
      expect(`${resource} ${id}: ${reason}`).toMatch(/: [^\n]{40,}$/);
    }
  });
});

describe('cdk-nag suppressions are deliberate', () => {
  it('suppresses exactly these rules in the default stack', () => {
    const ids = [...new Set(suppressions(defaults).map((suppression) => suppression.id))].sort();
    expect(ids).toEqual(['AwsSolutions-APIG2', 'AwsSolutions-APIG3', 'AwsSolutions-APIG4', 'AwsSolutions-COG4', 'AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-SMG4']);
  });

  it('suppresses APIG4 (no authorization) on the health method only', () => {
    const apig4 = suppressions(defaults).filter((suppression) => suppression.id === 'AwsSolutions-APIG4');
    expect(apig4).toHaveLength(1);
    const method = defaults.resources[apig4[0]!.resource]!;
    expect(method.Type).toBe('AWS::ApiGateway::Method');
    expect((method.Properties as JsonObject).AuthorizationType).toBe('NONE');
    expect(apig4[0]!.reason).toContain('/v1/health');
  });

  it('needs no WAF suppression once a web ACL is associated', () => {
    expect(suppressions(options).map((suppression) => suppression.id)).not.toContain('AwsSolutions-APIG3');
    options.template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: WEB_ACL_ARN });
  });
});

describe('the stack with every option', () => {
  const adminEnvironment = (name: 'admin' | 'admin-authorizer'): JsonObject => {
    const fn = options.resources[options.stack.getLogicalId(options.stack.functions.functions[name].node.defaultChild as never)]!;
    return ((fn.Properties as JsonObject).Environment as JsonObject).Variables as JsonObject;
  };

  it('verifies staff tokens from the OIDC issuer and creates no user pool', () => {
    options.template.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(adminEnvironment('admin-authorizer')).toMatchObject({
      [ENV.adminJwtIssuer]: 'https://login.example.com/msp',
      [ENV.adminJwtAudience]: 'alert-whisperer',
      [ENV.adminJwksUrl]: 'https://login.example.com/msp/.well-known/jwks.json',
      [ENV.adminGroupsClaim]: 'roles',
      [ENV.adminGroup]: 'msp-admin',
    });
    expect(Object.keys(options.template.toJSON().Outputs as JsonObject)).not.toContain('UserPoolId');
  });

  it('caches the API key authorizer on X-API-Key, tells the admin function, and lets it flush that stage only', () => {
    options.template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 300, IdentitySource: 'method.request.header.X-API-Key' });
    expect(adminEnvironment('admin')[ENV.authorizerCacheTtlSeconds]).toBe('300');
    const adminRole = options.stack.getLogicalId(options.stack.functions.roles.admin.node.defaultChild as never);
    const restApi = options.stack.getLogicalId(options.stack.api.restApi.node.defaultChild as never);
    options.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: adminRole }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'apigateway:DELETE',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:', { Ref: 'AWS::Region' }, '::/restapis/', { Ref: restApi }, '/stages/api/cache/authorizers']],
            },
          },
        ]),
      },
    });
  });

  it('subscribes the watchdog email', () => {
    options.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'secops@example.com' });
  });
});
