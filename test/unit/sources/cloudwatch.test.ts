import { cloudWatchAdapter, snsEnvelopeSchema } from '../../../lambdas/shared/domain/sources/cloudwatch';
import { issuePaths, loadFixture, mapPayload } from './adapter-expectations';

type Alarm = Record<string, unknown> & { Trigger?: Record<string, unknown> };
const alarm = (): Alarm => loadFixture<Alarm>('cloudwatch-alarm.json');

/** The body SNS posts to an HTTPS subscription: the alarm travels as JSON text in Message. */
function notification(body: Alarm | string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Type: 'Notification',
    MessageId: '6f2b2d5e-3a5b-5b8e-9a1d-2c4f0e6b7a11',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:alert-whisperer',
    Subject: 'ALARM: "web-01-cpu-high" in US East (N. Virginia)',
    Message: typeof body === 'string' ? body : JSON.stringify(body),
    Timestamp: '2024-01-15T10:00:00.456Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:alert-whisperer:0c5b3f6e',
    ...extra,
  };
}

describe('cloudwatch adapter', () => {
  it('maps an ALARM to a firing alert on the instance, keyed by the alarm ARN', () => {
    expect(mapPayload(cloudWatchAdapter, notification(alarm()))).toEqual([
      {
        asset_name: 'i-0abc123def4567890',
        signature: 'CPUUtilization',
        severity: 'critical',
        message: expect.stringMatching(/^Threshold Crossed: 2 out of the last 2 datapoints/),
        status: 'firing',
        source: 'cloudwatch',
        dedup_key: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-01-cpu-high',
        occurred_at: '2024-01-15T10:00:00.123Z',
        labels: {
          alarm_name: 'web-01-cpu-high',
          aws_account_id: '123456789012',
          aws_region: 'us-east-1',
          aws_region_name: 'US East (N. Virginia)',
          namespace: 'AWS/EC2',
          metric_name: 'CPUUtilization',
          previous_state: 'OK',
          state: 'ALARM',
          InstanceId: 'i-0abc123def4567890',
        },
      },
    ]);
  });

  it('maps OK to a resolved alert with the same dedup key', () => {
    const ok = { ...alarm(), NewStateValue: 'OK', OldStateValue: 'ALARM', NewStateReason: 'Threshold Crossed: 1 datapoint [12.0 (15/01/24 10:20:00)] was not greater than the threshold (90.0).' };
    const [alert] = mapPayload(cloudWatchAdapter, notification(ok, { Subject: 'OK: "web-01-cpu-high" in US East (N. Virginia)' }));
    expect(alert).toMatchObject({
      status: 'resolved',
      severity: 'critical',
      dedup_key: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-01-cpu-high',
      message: 'Threshold Crossed: 1 datapoint [12.0 (15/01/24 10:20:00)] was not greater than the threshold (90.0).',
    });
  });

  it('maps INSUFFICIENT_DATA to a firing alert of severity info', () => {
    const [alert] = mapPayload(cloudWatchAdapter, notification({ ...alarm(), NewStateValue: 'INSUFFICIENT_DATA' }));
    expect(alert).toMatchObject({ status: 'firing', severity: 'info' });
  });

  it.each([
    ['CPU above 90%.', 'high'],
    [null, 'high'],
    ['Checkout is down. severity=critical', 'critical'],
    ['severity: warning (team: payments)', 'medium'],
    ['Severity=LOW', 'low'],
    ['severity=bogus', 'high'],
  ])('takes the severity of an ALARM with description %p as %p', (description, severity) => {
    const [alert] = mapPayload(cloudWatchAdapter, notification({ ...alarm(), AlarmDescription: description }));
    expect(alert!.severity).toBe(severity);
  });

  it('takes the asset from the first dimension without an InstanceId, else the alarm name', () => {
    const queue = alarm();
    queue.Trigger = { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Dimensions: [{ name: 'QueueName', value: 'orders-dlq' }] };
    expect(mapPayload(cloudWatchAdapter, notification(queue))[0]).toMatchObject({ asset_name: 'orders-dlq', signature: 'ApproximateNumberOfMessagesVisible' });

    const noDimensions = alarm();
    noDimensions.Trigger = { MetricName: 'DeliveryErrors', Namespace: 'ExampleNamespace', Dimensions: [] };
    expect(mapPayload(cloudWatchAdapter, notification(noDimensions))[0]).toMatchObject({ asset_name: 'web-01-cpu-high' });
  });

  it('reads a metric-math alarm from Trigger.Metrics', () => {
    const math = alarm();
    math.Trigger = {
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      Metrics: [
        { Expression: 'm1*1', Id: 'e1', Label: 'Expression1', ReturnData: true },
        { Id: 'm1', MetricStat: { Metric: { Dimensions: [{ value: 'i-0fff', name: 'InstanceId' }], MetricName: 'NetworkOut', Namespace: 'AWS/EC2' }, Period: 60, Stat: 'Average' }, ReturnData: false },
      ],
    };
    expect(mapPayload(cloudWatchAdapter, notification(math))[0]).toMatchObject({ asset_name: 'i-0fff', signature: 'NetworkOut' });
  });

  it('maps a composite alarm (no Trigger) on its name, and an old alarm without ARN or time from the envelope', () => {
    const composite = alarm();
    delete composite.Trigger;
    delete composite.AlarmArn;
    delete composite.StateChangeTime;
    expect(mapPayload(cloudWatchAdapter, notification(composite))[0]).toMatchObject({
      asset_name: 'web-01-cpu-high',
      signature: 'web-01-cpu-high',
      dedup_key: undefined,
      occurred_at: '2024-01-15T10:00:00.456Z',
    });
  });

  it('hashes an alarm ARN too long to be a dedup key', () => {
    const long = { ...alarm(), AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${'x'.repeat(255)}` };
    expect(mapPayload(cloudWatchAdapter, notification(long))[0]!.dedup_key).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each([
    ['Message that is not JSON', notification('not json'), ['Message']],
    ['Message that is JSON but no object', notification('"ALARM"'), ['Message']],
    ['alarm without AlarmName', notification({ ...alarm(), AlarmName: undefined }), ['Message.AlarmName']],
    ['alarm with an unknown state', notification({ ...alarm(), NewStateValue: 'BROKEN' }), ['Message.NewStateValue']],
    ['alarm with a bad StateChangeTime', notification({ ...alarm(), StateChangeTime: '15/01/2024' }), ['Message.StateChangeTime']],
    ['subscription confirmation', notification(alarm(), { Type: 'SubscriptionConfirmation' }), ['Type']],
    ['envelope without MessageId', notification(alarm(), { MessageId: undefined }), ['MessageId']],
  ])('refuses a %s with an issue naming the field', (_case, body, paths) => {
    expect(issuePaths(cloudWatchAdapter, body)).toEqual(paths);
  });
});

describe('snsEnvelopeSchema', () => {
  it('parses a subscription confirmation for the handler', () => {
    const confirmation = {
      Type: 'SubscriptionConfirmation',
      MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
      Token: '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
      TopicArn: 'arn:aws:sns:us-west-2:123456789012:MyTopic',
      Message: 'You have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:MyTopic.\nTo confirm the subscription, visit the SubscribeURL included in this message.',
      SubscribeURL: 'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37',
      Timestamp: '2012-04-26T20:45:04.751Z',
      SignatureVersion: '1',
      Signature: 'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
      SigningCertURL: 'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
    };
    expect(snsEnvelopeSchema.parse(confirmation)).toMatchObject({ Type: 'SubscriptionConfirmation', SubscribeURL: confirmation.SubscribeURL });
  });

  it('refuses an unknown Type', () => {
    const result = snsEnvelopeSchema.safeParse(notification(alarm(), { Type: 'Telegram' }));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['Type']);
  });
});
