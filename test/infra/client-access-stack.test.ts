import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClientAccessStack } from '../../lib/client-access-stack';
import { CLIENT_ROLE_NAME } from '../../lambdas/shared/domain/aws-integration';
import {
  customRunbooks,
  MANAGED_BY_TAG_KEY,
  MANAGED_BY_TAG_VALUE,
  RUNBOOK_CATALOG,
  RUNBOOK_LOG_GROUP_NAME,
} from '../../lambdas/shared/domain/runbook-catalog';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface PolicyStatementJson {
  Effect: string;
  Action?: string | string[];
  NotAction?: Json;
  Resource?: Json;
  Principal?: Json;
  Condition?: JsonObject;
}

const STACK_ID = 'AlertWhispererClientAccess';

function synth(props: ConstructorParameters<typeof ClientAccessStack>[2] = {}) {
  const app = new App();
  const stack = new ClientAccessStack(app, STACK_ID, props);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as JsonObject };
}

const { stack, template, json } = synth();

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function resourcesOfType(type: string): [string, JsonObject][] {
  const resources = json.Resources;
  if (!isObject(resources)) throw new Error('template has no Resources');
  return Object.entries(resources).filter((entry): entry is [string, JsonObject] => isObject(entry[1]) && entry[1].Type === type);
}

function propertiesOf(resource: JsonObject): JsonObject {
  if (!isObject(resource.Properties)) throw new Error('resource has no Properties');
  return resource.Properties;
}

function theRole(): JsonObject {
  const roles = resourcesOfType('AWS::IAM::Role');
  expect(roles).toHaveLength(1);
  return propertiesOf(roles[0]![1]);
}

function trustStatements(): PolicyStatementJson[] {
  const document = theRole().AssumeRolePolicyDocument;
  if (!isObject(document)) throw new Error('no trust policy');
  return asList(document.Statement) as unknown as PolicyStatementJson[];
}

/** Every identity policy statement in the template, wherever CDK put it. */
function permissionStatements(): PolicyStatementJson[] {
  const inline = resourcesOfType('AWS::IAM::Role').flatMap(([, role]) =>
    asList(propertiesOf(role).Policies).flatMap((policy) => (isObject(policy) && isObject(policy.PolicyDocument) ? asList(policy.PolicyDocument.Statement) : [])),
  );
  const attached = [...resourcesOfType('AWS::IAM::Policy'), ...resourcesOfType('AWS::IAM::ManagedPolicy')].flatMap(([, policy]) => {
    const document = propertiesOf(policy).PolicyDocument;
    return isObject(document) ? asList(document.Statement) : [];
  });
  return [...inline, ...attached] as unknown as PolicyStatementJson[];
}

// ---- A small CloudFormation intrinsic resolver, so iam-simulate sees the policy as AWS will. ----

const CLIENT_ACCOUNT = '222233334444';
const MSP_ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const EXTERNAL_ID = 'aw-ext-7f3c9a1e5b2d4c6f8a0b1c2d3e4f5a6b';
const MSP_TASK_ROLE_ARN = `arn:aws:iam::${MSP_ACCOUNT}:role/alert-whisperer-runbook-task`;
const NO_VALUE = Symbol('AWS::NoValue');

function resolve(value: Json, parameters: Record<string, string>): Json | typeof NO_VALUE {
  if (Array.isArray(value)) {
    return value.map((item) => resolve(item, parameters)).filter((item): item is Json => item !== NO_VALUE);
  }
  if (!isObject(value)) return value;
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': CLIENT_ACCOUNT };
  if (typeof value.Ref === 'string') {
    if (value.Ref === 'AWS::NoValue') return NO_VALUE;
    const resolved = pseudo[value.Ref] ?? parameters[value.Ref];
    if (resolved === undefined) throw new Error(`cannot resolve Ref ${value.Ref}`);
    return resolved;
  }
  const join = value['Fn::Join'];
  if (Array.isArray(join)) {
    const [separator, parts] = join;
    return asList(resolve(parts as Json, parameters) as Json[]).join(String(separator));
  }
  const condition = value['Fn::If'];
  if (Array.isArray(condition)) {
    const [name, whenTrue, whenFalse] = condition;
    const conditions: Record<string, boolean> = { HasMspPrincipalArn: (parameters.MspPrincipalArn ?? '') !== '' };
    const chosen = conditions[String(name)];
    if (chosen === undefined) throw new Error(`unknown condition ${String(name)}`);
    return resolve((chosen ? whenTrue : whenFalse) as Json, parameters);
  }
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    const resolved = resolve(item, parameters);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

function resolvedPermissionPolicy() {
  return resolve({ Version: '2012-10-17', Statement: permissionStatements() as unknown as Json[] }, {});
}

async function clientRoleMay(action: string, resource: string, contextVariables: Record<string, string> = {}): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${CLIENT_ACCOUNT}:assumed-role/${CLIENT_ROLE_NAME}/AlertWhisperer-acme-1767225600`,
        action,
        resource: { resource, accountId: CLIENT_ACCOUNT },
        contextVariables,
      },
      identityPolicies: [{ name: 'AlertWhispererRunbooks', policy: resolvedPermissionPolicy() }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

/** AssumeRole from the MSP account: the MSP side allows it; the question is the client's trust policy. */
async function mspMayAssume(opts: { callerRoleArn: string; externalId?: string; mspPrincipalArn?: string }): Promise<string> {
  const trust = resolve(
    { Version: '2012-10-17', Statement: trustStatements() as unknown as Json[] },
    { MspAccountId: MSP_ACCOUNT, ExternalId: EXTERNAL_ID, MspPrincipalArn: opts.mspPrincipalArn ?? '' },
  );
  const [, , , , callerAccount, roleName] = opts.callerRoleArn.split(/[:/]/);
  const contextVariables: Record<string, string> = { 'aws:PrincipalArn': opts.callerRoleArn };
  if (opts.externalId !== undefined) contextVariables['sts:ExternalId'] = opts.externalId;
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${callerAccount}:assumed-role/${roleName}/AlertWhisperer-acme-1767225600`,
        action: 'sts:AssumeRole',
        resource: { resource: `arn:aws:iam::${CLIENT_ACCOUNT}:role/${CLIENT_ROLE_NAME}`, accountId: CLIENT_ACCOUNT },
        contextVariables,
      },
      identityPolicies: [
        { name: 'msp-task', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] } },
      ],
      resourcePolicy: trust,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe('ClientAccessStack: parameters', () => {
  it('takes the MSP account id as exactly 12 digits', () => {
    template.hasParameter('MspAccountId', { Type: 'String', AllowedPattern: '^\\d{12}$' });
  });

  it('takes the External ID as a hidden value of at least 32 STS-allowed characters', () => {
    template.hasParameter('ExternalId', { Type: 'String', NoEcho: true, MinLength: 32, MaxLength: 1224, AllowedPattern: '^[\\w+=,.@:/-]*$' });
  });

  it('takes an optional MSP principal ARN, empty by default', () => {
    template.hasParameter('MspPrincipalArn', { Type: 'String', Default: '' });
    template.hasCondition('HasMspPrincipalArn', { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'MspPrincipalArn' }, ''] }] });
  });

  it('needs no CDK bootstrap in the client account and fits a direct console upload', () => {
    expect(Object.keys(isObject(json.Parameters) ? json.Parameters : {})).not.toContain('BootstrapVersion');
    expect(json.Rules).toBeUndefined();
    // cdk.out writes the template with one-space indentation; 51,200 bytes is the --template-body and console limit.
    expect(JSON.stringify(json, null, 1).length).toBeLessThan(51_200);
  });
});

describe('ClientAccessStack: trust policy', () => {
  it('names the role AlertWhispererMSP with one-hour sessions', () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'AlertWhispererMSP', MaxSessionDuration: 3600 });
  });

  it('trusts the MSP account root, for sts:AssumeRole only, bound to the ExternalId parameter', () => {
    const statements = trustStatements();
    expect(statements).toHaveLength(1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'MspAccountId' }, ':root']] } },
            Condition: Match.objectLike({ StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } }),
          },
        ],
      },
    });
  });

  it('narrows the trust to aws:PrincipalArn only when MspPrincipalArn is given', () => {
    const condition = trustStatements()[0]!.Condition;
    expect(condition?.ArnEquals).toEqual({
      'Fn::If': ['HasMspPrincipalArn', { 'aws:PrincipalArn': { Ref: 'MspPrincipalArn' } }, { Ref: 'AWS::NoValue' }],
    });
  });

  it('lets the MSP account assume the role with the right External ID, and nothing else', async () => {
    const caller = MSP_TASK_ROLE_ARN;
    await expect(mspMayAssume({ callerRoleArn: caller, externalId: EXTERNAL_ID })).resolves.toBe('Allowed');
    await expect(mspMayAssume({ callerRoleArn: caller })).resolves.not.toBe('Allowed');
    await expect(mspMayAssume({ callerRoleArn: caller, externalId: `${EXTERNAL_ID}x` })).resolves.not.toBe('Allowed');
    await expect(
      mspMayAssume({ callerRoleArn: 'arn:aws:iam::999988887777:role/alert-whisperer-runbook-task', externalId: EXTERNAL_ID }),
    ).resolves.not.toBe('Allowed');
  });

  it('with MspPrincipalArn, refuses every other role of the MSP account even with the External ID', async () => {
    await expect(mspMayAssume({ callerRoleArn: MSP_TASK_ROLE_ARN, externalId: EXTERNAL_ID, mspPrincipalArn: MSP_TASK_ROLE_ARN })).resolves.toBe('Allowed');
    await expect(
      mspMayAssume({ callerRoleArn: `arn:aws:iam::${MSP_ACCOUNT}:role/developer`, externalId: EXTERNAL_ID, mspPrincipalArn: MSP_TASK_ROLE_ARN }),
    ).resolves.not.toBe('Allowed');
  });
});

describe('ClientAccessStack: permission policy', () => {
  const statements = permissionStatements();
  const actions = statements.flatMap((statement) => asList(statement.Action));

  it('uses Allow statements with explicit actions only', () => {
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.NotAction).toBeUndefined();
      expect(statement.Action).toBeDefined();
    }
  });

  it('has no wildcard action anywhere, and nothing of iam:, sts: or ssm:*', () => {
    const everyAction = [...actions, ...trustStatements().flatMap((statement) => asList(statement.Action))];
    for (const action of everyAction) {
      expect(action).not.toContain('*');
      expect(action).not.toMatch(/^iam:/i);
    }
    expect(everyAction.filter((action) => /^sts:/i.test(action))).toEqual(['sts:AssumeRole']);
    expect(actions.filter((action) => /^sts:/i.test(action))).toEqual([]);
  });

  it('grants exactly the runbook actions', () => {
    expect([...new Set(actions)].sort()).toEqual(
      [
        'ec2:DescribeInstanceStatus',
        'ec2:DescribeInstances',
        'ec2:DescribeTags',
        'logs:DescribeLogStreams',
        'logs:FilterLogEvents',
        'logs:GetLogEvents',
        'ssm:CancelCommand',
        'ssm:DescribeInstanceInformation',
        'ssm:DescribeInstancePatchStates',
        'ssm:DescribeInstancePatches',
        'ssm:DescribePatchBaselines',
        'ssm:GetCommandInvocation',
        'ssm:ListCommandInvocations',
        'ssm:ListCommands',
        'ssm:SendCommand',
      ].sort(),
    );
  });

  it('conditions every statement on instances or managed nodes on the ManagedBy tag', () => {
    const onNodes = statements.filter((statement) => JSON.stringify(statement.Resource ?? null).match(/:(instance|managed-instance)\//));
    expect(onNodes.length).toBeGreaterThanOrEqual(1);
    expect(onNodes.flatMap((statement) => asList(statement.Action))).toContain('ssm:SendCommand');
    for (const statement of onNodes) {
      expect(statement.Condition).toEqual({ StringEquals: { [`ssm:resourceTag/${MANAGED_BY_TAG_KEY}`]: MANAGED_BY_TAG_VALUE } });
    }
  });

  it('allows SendCommand on the catalog documents by exact name and on no other document', () => {
    const sendCommand = statements.filter((statement) => asList(statement.Action).includes('ssm:SendCommand'));
    const documentResources = sendCommand.flatMap((statement) => asList(statement.Resource)).filter((resource) => JSON.stringify(resource).includes(':document/'));
    const names = documentResources.map((resource) => JSON.stringify(resource).match(/:document\/([^"]+)"/)?.[1]);
    expect(names.sort()).toEqual(RUNBOOK_CATALOG.map((runbook) => runbook.documentName).sort());
    for (const name of names) expect(name).not.toContain('*');
  });

  it('lets SendCommand run an approved runbook on a tagged instance and on nothing else', async () => {
    const instance = `arn:aws:ec2:${REGION}:${CLIENT_ACCOUNT}:instance/i-0123456789abcdef0`;
    const managedNode = `arn:aws:ssm:${REGION}:${CLIENT_ACCOUNT}:managed-instance/mi-0123456789abcdef0`;
    const tagged = { [`ssm:resourceTag/${MANAGED_BY_TAG_KEY}`]: MANAGED_BY_TAG_VALUE };

    await expect(clientRoleMay('ssm:SendCommand', instance, tagged)).resolves.toBe('Allowed');
    await expect(clientRoleMay('ssm:SendCommand', managedNode, tagged)).resolves.toBe('Allowed');
    await expect(clientRoleMay('ssm:SendCommand', instance)).resolves.not.toBe('Allowed');
    await expect(clientRoleMay('ssm:SendCommand', instance, { [`ssm:resourceTag/${MANAGED_BY_TAG_KEY}`]: 'SomeoneElse' })).resolves.not.toBe('Allowed');

    await expect(clientRoleMay('ssm:SendCommand', `arn:aws:ssm:${REGION}:${CLIENT_ACCOUNT}:document/AW-RestartService`)).resolves.toBe('Allowed');
    // The documents that would turn the role into a remote shell, and a look-alike name.
    await expect(clientRoleMay('ssm:SendCommand', `arn:aws:ssm:${REGION}:${CLIENT_ACCOUNT}:document/AWS-RunShellScript`)).resolves.not.toBe('Allowed');
    await expect(clientRoleMay('ssm:SendCommand', `arn:aws:ssm:${REGION}:${CLIENT_ACCOUNT}:document/AWS-RunPowerShellScript`)).resolves.not.toBe('Allowed');
    await expect(clientRoleMay('ssm:SendCommand', `arn:aws:ssm:${REGION}:${CLIENT_ACCOUNT}:document/AW-RestartServiceX`)).resolves.not.toBe('Allowed');
    await expect(clientRoleMay('ssm:SendCommand', `arn:aws:ssm:us-east-1:${CLIENT_ACCOUNT}:document/AW-RestartService`)).resolves.not.toBe('Allowed');
  });

  // iam-simulate cannot parse an ARN with an empty account field, so the AWS-owned form is checked on the policy text.
  it('names AWS-owned documents with an empty account field, as AWS does', () => {
    const resolved = JSON.stringify(resolvedPermissionPolicy());
    expect(resolved).toContain(`"arn:aws:ssm:${REGION}::document/AWS-RunPatchBaseline"`);
    expect(resolved).not.toMatch(/::document\/AWS-Run(Shell|PowerShell)Script/);
  });

  it('reads only the runbook log group, and opens no session, parameter or role', async () => {
    const streamOf = (group: string) => `arn:aws:logs:${REGION}:${CLIENT_ACCOUNT}:log-group:${group}:log-stream:cmd/i-0123/aws-runShellScript/stdout`;
    await expect(clientRoleMay('logs:GetLogEvents', streamOf(RUNBOOK_LOG_GROUP_NAME))).resolves.toBe('Allowed');
    await expect(clientRoleMay('logs:GetLogEvents', streamOf('/aws/lambda/payments'))).resolves.not.toBe('Allowed');
    await expect(clientRoleMay('logs:PutLogEvents', streamOf(RUNBOOK_LOG_GROUP_NAME))).resolves.not.toBe('Allowed');
    await expect(clientRoleMay('ssm:StartSession', `arn:aws:ec2:${REGION}:${CLIENT_ACCOUNT}:instance/i-0123456789abcdef0`)).resolves.not.toBe('Allowed');
    await expect(clientRoleMay('ssm:GetParameter', `arn:aws:ssm:${REGION}:${CLIENT_ACCOUNT}:parameter/db-password`)).resolves.not.toBe('Allowed');
    await expect(clientRoleMay('iam:PassRole', `arn:aws:iam::${CLIENT_ACCOUNT}:role/admin`)).resolves.not.toBe('Allowed');
    await expect(clientRoleMay('ec2:CreateTags', `arn:aws:ec2:${REGION}:${CLIENT_ACCOUNT}:instance/i-0123456789abcdef0`)).resolves.not.toBe('Allowed');
  });
});

describe('ClientAccessStack: documents and log group', () => {
  it('creates one Command document per custom catalog runbook, with the catalog content', () => {
    const custom = customRunbooks();
    expect(custom.map((runbook) => runbook.name).sort()).toEqual(['AW-CollectDiagnostics', 'AW-DiskCleanup', 'AW-RestartService']);
    template.resourceCountIs('AWS::SSM::Document', custom.length);
    for (const runbook of custom) {
      template.hasResourceProperties('AWS::SSM::Document', {
        Name: runbook.name,
        DocumentType: 'Command',
        DocumentFormat: 'JSON',
        UpdateMethod: 'NewVersion',
        Content: JSON.parse(JSON.stringify(runbook.ssmDocument)),
      });
    }
  });

  it('creates no document for the AWS-owned runbook', () => {
    const names = resourcesOfType('AWS::SSM::Document').map(([, resource]) => propertiesOf(resource).Name);
    expect(names).not.toContain('AWS-RunPatchBaseline');
  });

  it('keeps runbook output in /aws/ssm/AlertWhisperer for 90 days and retains it', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: RUNBOOK_LOG_GROUP_NAME, RetentionInDays: 90 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('outputs the role ARN and a way to verify the trust', () => {
    template.hasOutput('RoleArn', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
    template.hasOutput('VerifyCommand', {
      Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('aws sts assume-role --role-arn'), Match.stringLikeRegexp('--external-id')])] },
    });
  });
});

describe('ClientAccessStack: props', () => {
  it('names the role as role_arn must name it: the one name the MSP task roles may assume', () => {
    synth({}).template.hasResourceProperties('AWS::IAM::Role', { RoleName: CLIENT_ROLE_NAME });
  });

  it('refuses an empty runbook list', () => {
    expect(() => synth({ runbooks: [] })).toThrow(/at least one runbook/);
  });
});

describe('ClientAccessStack: cdk-nag AwsSolutions', () => {
  it('has zero unsuppressed errors', () => {
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors).toEqual([]);
  });

  it('has zero unsuppressed warnings', () => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(warnings).toEqual([]);
  });

  it('gives every suppression a reason', () => {
    const suppressed = JSON.stringify(json).match(/"rules_to_suppress":\[[^\]]*\]/g) ?? [];
    expect(suppressed.length).toBeGreaterThan(0);
    for (const [, resource] of [...resourcesOfType('AWS::IAM::Role')]) {
      const metadata = resource.Metadata;
      const rules = isObject(metadata) && isObject(metadata.cdk_nag) ? asList(metadata.cdk_nag.rules_to_suppress) : [];
      for (const rule of rules) {
        expect(isObject(rule) && typeof rule.reason === 'string' && rule.reason.length >= 20).toBe(true);
      }
    }
  });
});
