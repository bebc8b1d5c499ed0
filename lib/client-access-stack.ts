import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { CLIENT_ROLE_NAME } from '../lambdas/shared/domain/aws-integration';
import {
  MANAGED_BY_TAG_KEY,
  MANAGED_BY_TAG_VALUE,
  RUNBOOK_CATALOG,
  RUNBOOK_LOG_GROUP_NAME,
  type RunbookDefinition,
} from '../lambdas/shared/domain/runbook-catalog';


/** Session length cap; AssumeRole from the MSP's Lambda is role chaining, which STS caps at 1 h anyway. */
const MAX_SESSION_DURATION = cdk.Duration.hours(1);

export interface ClientAccessStackProps extends cdk.StackProps {
  /**
   * How long the runbook output log group keeps command output.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Runbooks whose custom SSM documents this stack creates and which the role may run.
   * @default RUNBOOK_CATALOG (every approved runbook)
   */
  readonly runbooks?: readonly RunbookDefinition[];

  /**
   * Synthesizer. The default needs no CDK bootstrap in the client's account: the template has
   * no assets and is deployed with plain CloudFormation.
   * @default new cdk.CliCredentialsStackSynthesizer()
   */
  readonly synthesizer?: cdk.IStackSynthesizer;

  /**
   * @default a one-line description of what the template grants
   */
  readonly description?: string;
}

/**
 * What a client deploys in ITS account so the MSP can run approved runbooks there: the
 * cross-account role (trusting the MSP account only with the tenant's External ID), its
 * least-privilege policy, the custom SSM Command documents of the runbook catalog, and the
 * log group their output goes to. Environment-agnostic: one template for every client.
 */
export class ClientAccessStack extends cdk.Stack {
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly documents: readonly ssm.CfnDocument[];

  constructor(scope: Construct, id: string, props: ClientAccessStackProps = {}) {
    const runbooks = props.runbooks ?? RUNBOOK_CATALOG;
    if (runbooks.length === 0) {
      throw new Error('ClientAccessStack: at least one runbook is needed, or the role could run nothing.');
    }

    super(scope, id, {
      ...props,
      synthesizer: props.synthesizer ?? new cdk.CliCredentialsStackSynthesizer(),
      description:
        props.description ??
        'Alert Whisperer client access: a role the MSP assumes with an External ID to run approved SSM runbooks on instances tagged ManagedBy=AlertWhisperer.',
      analyticsReporting: props.analyticsReporting ?? false,
    });

    const mspAccountId = new cdk.CfnParameter(this, 'MspAccountId', {
      type: 'String',
      description: 'The 12-digit AWS account id of the MSP (from your MSP).',
      allowedPattern: '^\\d{12}$',
      constraintDescription: 'must be a 12-digit AWS account id',
    });
    const externalId = new cdk.CfnParameter(this, 'ExternalId', {
      type: 'String',
      description: 'The External ID your MSP generated for you (GET /v1/config/aws-integration, field external_id).',
      // STS accepts 2-1224 characters of [\w+=,.@:/-]; 32+ keeps it unguessable.
      minLength: 32,
      maxLength: 1224,
      allowedPattern: '^[\\w+=,.@:/-]*$',
      constraintDescription: 'must be the External ID from your MSP: at least 32 characters of A-Z a-z 0-9 _ + = , . @ : / -',
      noEcho: true,
    });
    const mspPrincipalArn = new cdk.CfnParameter(this, 'MspPrincipalArn', {
      type: 'String',
      default: '',
      description:
        'Optional: the ARN of the MSP role that runs runbooks. Given, only that role may assume this one; empty, any principal of the MSP account that the MSP allows may.',
      allowedPattern: '^$|^arn:aws[a-zA-Z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}$',
      constraintDescription: 'must be empty or an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>)',
    });
    const hasMspPrincipal = new cdk.CfnCondition(this, 'HasMspPrincipalArn', {
      expression: cdk.Fn.conditionNot(cdk.Fn.conditionEquals(mspPrincipalArn.valueAsString, '')),
    });

    this.templateOptions.metadata = {
      'AWS::CloudFormation::Interface': {
        ParameterGroups: [
          { Label: { default: 'From your MSP' }, Parameters: [mspAccountId.logicalId, externalId.logicalId, mspPrincipalArn.logicalId] },
        ],
      },
    };

    // Retained on stack deletion: it is the client's record of what the MSP ran (delete it by hand
    // before re-onboarding, or the fixed name collides). CloudWatch Logs encrypts it at rest with an
    // AWS-owned key; a client that requires its own KMS key associates one afterwards with
    // `aws logs associate-kms-key` (the key policy must allow logs.<region>.amazonaws.com).
    this.logGroup = new logs.LogGroup(this, 'RunbookOutput', {
      logGroupName: RUNBOOK_LOG_GROUP_NAME,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });

    this.documents = runbooks.flatMap((runbook) => {
      if (runbook.ssmDocument === undefined) return [];
      return [
        new ssm.CfnDocument(this, `Document${runbook.name.replace(/[^A-Za-z0-9]/g, '')}`, {
          name: runbook.documentName,
          documentType: 'Command',
          documentFormat: 'JSON',
          content: runbook.ssmDocument,
          // Replace would create-then-delete a document with the same fixed name, which fails.
          updateMethod: 'NewVersion',
        }),
      ];
    });

    const partition = cdk.Aws.PARTITION;
    const region = cdk.Aws.REGION;
    const account = cdk.Aws.ACCOUNT_ID;
    const documentArns = runbooks.map((runbook) =>
      runbook.ssmDocument === undefined
        ? // AWS-owned documents have an empty account field in their ARN.
          `arn:${partition}:ssm:${region}::document/${runbook.documentName}`
        : `arn:${partition}:ssm:${region}:${account}:document/${runbook.documentName}`,
    );
    const instanceArns = [
      `arn:${partition}:ec2:${region}:${account}:instance/*`,
      `arn:${partition}:ssm:${region}:${account}:managed-instance/*`,
    ];
    const managedByCondition = { StringEquals: { [`ssm:resourceTag/${MANAGED_BY_TAG_KEY}`]: MANAGED_BY_TAG_VALUE } };
    const logGroupArn = `arn:${partition}:logs:${region}:${account}:log-group:${RUNBOOK_LOG_GROUP_NAME}`;

    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'RunApprovedDocuments',
          actions: ['ssm:SendCommand'],
          resources: documentArns,
        }),
        // SendCommand authorizes the document AND every target node; the node half needs the tag.
        // ssm:resourceTag is the key Run Command documents for this: https://docs.aws.amazon.com/systems-manager/latest/userguide/run-command-setting-up.html#tag-based-access
        new iam.PolicyStatement({
          sid: 'OnlyOnManagedByAlertWhispererNodes',
          actions: ['ssm:SendCommand'],
          resources: instanceArns,
          conditions: managedByCondition,
        }),
        new iam.PolicyStatement({
          sid: 'PatchStateOfManagedByAlertWhispererNodes',
          actions: ['ssm:DescribeInstancePatchStates', 'ssm:DescribeInstancePatches'],
          resources: instanceArns,
          conditions: managedByCondition,
        }),
        // These take a command id, not a resource ARN: the Service Authorization Reference lists no resource type for them.
        new iam.PolicyStatement({
          sid: 'FollowCommands',
          actions: ['ssm:GetCommandInvocation', 'ssm:ListCommandInvocations', 'ssm:ListCommands', 'ssm:CancelCommand'],
          resources: ['*'],
        }),
        // Describe/List calls with no resource-level permissions in SSM or EC2.
        new iam.PolicyStatement({
          sid: 'DescribeNodes',
          actions: [
            'ssm:DescribeInstanceInformation',
            'ssm:DescribePatchBaselines',
            'ec2:DescribeInstances',
            'ec2:DescribeInstanceStatus',
            'ec2:DescribeTags',
          ],
          resources: ['*'],
        }),
        // Read only: with CloudWatchOutputConfig the SSM agent on the INSTANCE writes these logs
        // (its instance profile needs logs:CreateLogStream/PutLogEvents), never this role.
        new iam.PolicyStatement({
          sid: 'ReadRunbookOutput',
          actions: ['logs:DescribeLogStreams', 'logs:FilterLogEvents', 'logs:GetLogEvents'],
          resources: [logGroupArn, `${logGroupArn}:log-stream:*`],
        }),
      ],
    });

    this.role = new iam.Role(this, 'MspRole', {
      // Fixed: the MSP's task roles may assume this name only, and `role_arn` must name it.
      roleName: CLIENT_ROLE_NAME,
      description: 'Assumed by the Alert Whisperer MSP (with the External ID) to run approved SSM runbooks.',
      maxSessionDuration: MAX_SESSION_DURATION,
      // The account principal plus aws:PrincipalArn (not the role ARN as principal): IAM rejects a
      // principal that does not exist yet, and a re-created MSP role would silently break the trust.
      assumedBy: new iam.AccountPrincipal(mspAccountId.valueAsString).withConditions({
        ArnEquals: cdk.Fn.conditionIf(
          hasMspPrincipal.logicalId,
          { 'aws:PrincipalArn': mspPrincipalArn.valueAsString },
          cdk.Aws.NO_VALUE,
        ),
      }),
      // The confused-deputy guard: the MSP passes the tenant's own External ID, never one a request chose.
      externalIds: [externalId.valueAsString],
      inlinePolicies: { AlertWhispererRunbooks: policy },
    });

    // Marks what this stack created; the instance tag that grants access is set by the client, not here.
    cdk.Tags.of(this).add(MANAGED_BY_TAG_KEY, MANAGED_BY_TAG_VALUE);

    NagSuppressions.addResourceSuppressions(this.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'Node ARNs are wildcards only under the ssm:resourceTag/ManagedBy=AlertWhisperer condition; log streams are those of the one runbook log group.',
        appliesTo: [
          { regex: '/^Resource::arn:<AWS::Partition>:(ec2|ssm):<AWS::Region>:<AWS::AccountId>:(instance|managed-instance)\\/\\*$/' },
          `Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${RUNBOOK_LOG_GROUP_NAME}:log-stream:*`,
        ],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: 'Get/List/CancelCommand and the SSM/EC2 Describe calls support no resource-level permissions (Service Authorization Reference).',
        appliesTo: ['Resource::*'],
      },
    ]);

    new cdk.CfnOutput(this, 'RoleArn', {
      description: 'Give this ARN to your MSP (role_arn in the Alert Whisperer AWS integration).',
      value: this.role.roleArn,
    });
    new cdk.CfnOutput(this, 'RunbookLogGroupName', {
      description: 'Command output of the runbooks (written by the SSM agent on each instance).',
      value: this.logGroup.logGroupName,
    });
    new cdk.CfnOutput(this, 'VerifyCommand', {
      description: 'Run from the MSP account: succeeds with the External ID, fails with AccessDenied without it.',
      value: cdk.Fn.join('', [
        'aws sts assume-role --role-arn ',
        this.role.roleArn,
        ' --role-session-name check --external-id <external_id from GET /v1/config/aws-integration>',
      ]),
    });
    new cdk.CfnOutput(this, 'InstanceTagToSet', {
      description: 'Runbooks run only on instances (and hybrid nodes) with this tag.',
      value: `${MANAGED_BY_TAG_KEY}=${MANAGED_BY_TAG_VALUE}`,
    });
  }
}
