import * as cdk from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { TENANT_TAG_KEY } from '../../lambdas/shared/access/policy-documents';

export interface AssumeRoleWatchdogProps {
  /** The role to watch: `TenantDataAccessRole`. */
  readonly watchedRole: iam.IRole;

  /** The only execution roles expected to assume it. */
  readonly expectedCallers: readonly iam.IRole[];

  /**
   * The session tag every legitimate AssumeRole carries.
   * @default 'tenant_id'
   */
  readonly requiredSessionTag?: string;

  /**
   * An address subscribed to the alarm topic (it must confirm the subscription).
   * @default undefined: subscribe the MSP's own tooling to the topic
   */
  readonly notificationEmail?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Detective control behind layer 3: the trust policy already refuses an untagged session or a
 * stranger, and this tells someone when that was tried (failed calls are logged too). Two rules
 * on CloudTrail's AssumeRole events for `TenantDataAccessRole` publish to an encrypted topic.
 *
 * Needs CloudTrail management events in this account and Region (the MSP's organization trail
 * usually; this construct creates no trail). The functions call the Regional STS endpoint (SDK v3
 * default), so their AssumeRole events land in this Region; global-endpoint calls land in us-east-1.
 */
export class AssumeRoleWatchdog extends Construct {
  /** Where findings go (KMS-encrypted, TLS-only). */
  readonly topic: sns.Topic;

  /** AssumeRole of the watched role without the session tag, or with another tag key. */
  readonly untaggedSessionRule: events.Rule;

  /** AssumeRole of the watched role by anyone but the expected execution roles. */
  readonly unexpectedCallerRule: events.Rule;

  constructor(scope: Construct, id: string, props: AssumeRoleWatchdogProps) {
    super(scope, id);
    if (props.expectedCallers.length === 0) {
      throw new Error('AssumeRoleWatchdog: expectedCallers is empty, so every AssumeRole of the watched role would raise an alarm.');
    }
    if (props.notificationEmail !== undefined && !EMAIL.test(props.notificationEmail)) {
      throw new Error(`AssumeRoleWatchdog: notificationEmail "${props.notificationEmail}" is not an email address.`);
    }
    const tag = props.requiredSessionTag ?? TENANT_TAG_KEY;

    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the Alert Whisperer AssumeRole watchdog topic.',
      enableKeyRotation: true,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Alert Whisperer: unexpected TenantDataAccessRole sessions',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.notificationEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.notificationEmail));

    const assumeRoleOfWatchedRole = {
      eventSource: ['sts.amazonaws.com'],
      eventName: ['AssumeRole'],
      requestParameters: { roleArn: [props.watchedRole.roleArn] },
    };

    // CloudTrail logs session tags as requestParameters.tags: [{key, value}]. A pattern on an array matches when
    // ANY element matches, so "no tenant_id tag" is the union of: no tag key at all (exists: false on the leaf),
    // or some key other than tenant_id (anything-but) — exactly what the trust policy's two tag conditions refuse.
    this.untaggedSessionRule = this.watch('UntaggedSessionRule', 'AssumeRole of TenantDataAccessRole without a tenant_id session tag, or with another tag key.', {
      ...assumeRoleOfWatchedRole,
      $or: [
        { requestParameters: { tags: { key: [{ exists: false }] } } },
        { requestParameters: { tags: { key: [{ 'anything-but': [tag] }] } } },
      ],
    });

    // A role session names its role in sessionIssuer.arn; an IAM user or root caller has no sessionIssuer at all.
    this.unexpectedCallerRule = this.watch('UnexpectedCallerRule', 'AssumeRole of TenantDataAccessRole by anyone but the Alert Whisperer function roles.', {
      ...assumeRoleOfWatchedRole,
      $or: [
        { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': props.expectedCallers.map((role) => role.roleArn) }] } } } },
        { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ exists: false }] } } } },
      ],
    });
  }

  private watch(id: string, description: string, detail: Record<string, unknown>): events.Rule {
    const rule = new events.Rule(this, id, {
      description,
      eventPattern: { source: ['aws.sts'], detailType: ['AWS API Call via CloudTrail'], detail },
      targets: [new targets.SnsTopic(this.topic)],
    });
    // CloudTrail records AssumeRole as readOnly: true, and an ENABLED rule never sees read-only management events:
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html
    (rule.node.defaultChild as events.CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
    return rule;
  }
}
