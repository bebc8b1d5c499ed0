import { createSign, generateKeyPairSync } from 'node:crypto';
import type { SnsEnvelope } from '../../../lambdas/shared/domain/sources/cloudwatch';
import { isTrustedSnsUrl, snsStringToSign, verifySnsMessage } from '../../../lambdas/shared/domain/sources/sns-message-signature';

// Our own key pair stands in for SNS's: createVerify accepts a public key where it accepts a certificate.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const otherPublicKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem';

function signed(message: Omit<SnsEnvelope, 'Signature'>): SnsEnvelope {
  const unsigned = { ...message, Signature: '' };
  const algorithm = message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
  const signature = createSign(algorithm).update(snsStringToSign(unsigned)!, 'utf8').sign(privateKey, 'base64');
  return { ...unsigned, Signature: signature };
}

const notification = (signatureVersion: string, extra: Partial<SnsEnvelope> = {}): SnsEnvelope =>
  signed({
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:alert-whisperer',
    Subject: 'ALARM: "web-01-cpu-high" in US East (N. Virginia)',
    Message: '{"AlarmName":"web-01-cpu-high","NewStateValue":"ALARM"}',
    Timestamp: '2024-01-15T10:00:00.456Z',
    SignatureVersion: signatureVersion,
    SigningCertURL: CERT_URL,
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:alert-whisperer:0c5b',
    ...extra,
  });

const confirmation = (type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation', extra: Partial<SnsEnvelope> = {}): SnsEnvelope =>
  signed({
    Type: type,
    MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
    Token: '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afb',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:alert-whisperer',
    Message: 'You have chosen to subscribe to the topic arn:aws:sns:us-east-1:123456789012:alert-whisperer.\nTo confirm the subscription, visit the SubscribeURL included in this message.',
    SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:alert-whisperer&Token=2336412f37',
    Timestamp: '2024-01-15T09:00:00.000Z',
    SignatureVersion: '2',
    SigningCertURL: CERT_URL,
    ...extra,
  });

describe('verifySnsMessage', () => {
  const fetchCertificate = jest.fn(async (_url: string) => publicKeyPem);
  beforeEach(() => fetchCertificate.mockClear());

  it.each(['1', '2'])('accepts a notification signed with SignatureVersion %s', async (version) => {
    await expect(verifySnsMessage(notification(version), fetchCertificate)).resolves.toBe(true);
    expect(fetchCertificate).toHaveBeenCalledWith(CERT_URL);
  });

  it('accepts a notification without Subject, which is then not signed', async () => {
    const { Subject: _subject, ...withoutSubject } = notification('2');
    await expect(verifySnsMessage(signed(withoutSubject), fetchCertificate)).resolves.toBe(true);
  });

  it.each(['SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const)('accepts a signed %s', async (type) => {
    await expect(verifySnsMessage(confirmation(type), fetchCertificate)).resolves.toBe(true);
  });

  it.each<[string, Partial<SnsEnvelope>]>([
    ['Message', { Message: '{"AlarmName":"web-01-cpu-high","NewStateValue":"OK"}' }],
    ['Subject', { Subject: 'OK: "web-01-cpu-high"' }],
    ['Timestamp', { Timestamp: '2024-01-15T10:00:01.456Z' }],
    ['TopicArn', { TopicArn: 'arn:aws:sns:us-east-1:123456789012:another-topic' }],
    ['Type', { Type: 'SubscriptionConfirmation' }],
  ])('refuses a notification whose %s was changed after signing', async (_field, change) => {
    await expect(verifySnsMessage({ ...notification('2'), ...change }, fetchCertificate)).resolves.toBe(false);
  });

  it('refuses a notification whose Subject was removed after signing', async () => {
    const { Subject: _subject, ...withoutSubject } = notification('1');
    await expect(verifySnsMessage(withoutSubject, fetchCertificate)).resolves.toBe(false);
  });

  it('refuses a confirmation whose SubscribeURL was changed after signing', async () => {
    const tampered = { ...confirmation('SubscriptionConfirmation'), SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=other' };
    await expect(verifySnsMessage(tampered, fetchCertificate)).resolves.toBe(false);
  });

  it('refuses a signature made with another key', async () => {
    await expect(verifySnsMessage(notification('2'), async () => otherPublicKeyPem)).resolves.toBe(false);
  });

  it('refuses a SHA1 signature presented as SignatureVersion 2', async () => {
    await expect(verifySnsMessage({ ...notification('1'), SignatureVersion: '2' }, fetchCertificate)).resolves.toBe(false);
  });

  it.each(['3', '', 'constructor'])('refuses SignatureVersion %p without fetching', async (version) => {
    await expect(verifySnsMessage({ ...notification('2'), SignatureVersion: version }, fetchCertificate)).resolves.toBe(false);
    expect(fetchCertificate).not.toHaveBeenCalled();
  });

  it.each([
    'https://attacker.example/SimpleNotificationService-9c6465fa.pem',
    'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa.pem',
    'https://sns.us-east-1.amazonaws.com.attacker.example/SimpleNotificationService-9c6465fa.pem',
    'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-9c6465fa.pem',
    'https://user@sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa.pem',
    'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa.pem',
    'https://sns.us-east-1.amazonaws.com/?Action=Whatever',
    'not a url',
  ])('refuses a certificate from %s without fetching it', async (url) => {
    await expect(verifySnsMessage(notification('2', { SigningCertURL: url }), fetchCertificate)).resolves.toBe(false);
    expect(fetchCertificate).not.toHaveBeenCalled();
  });

  it('refuses a confirmation whose SubscribeURL leaves SNS, without fetching', async () => {
    const message = confirmation('SubscriptionConfirmation', { SubscribeURL: 'https://169.254.169.254/latest/meta-data/' });
    await expect(verifySnsMessage(message, fetchCertificate)).resolves.toBe(false);
    expect(fetchCertificate).not.toHaveBeenCalled();
  });

  it('refuses a confirmation without Token', async () => {
    const { Token: _token, ...withoutToken } = confirmation('SubscriptionConfirmation');
    await expect(verifySnsMessage(withoutToken, fetchCertificate)).resolves.toBe(false);
  });

  it('refuses a certificate that is no PEM', async () => {
    await expect(verifySnsMessage(notification('2'), async () => '<html>Not Found</html>')).resolves.toBe(false);
  });

  it('lets a failing certificate fetch reject: an outage is not a forgery', async () => {
    const unreachable = async (): Promise<string> => {
      throw new Error('ETIMEDOUT');
    };
    await expect(verifySnsMessage(notification('2'), unreachable)).rejects.toThrow('ETIMEDOUT');
  });
});

describe('snsStringToSign', () => {
  it('signs notification fields in the documented order, Subject only when present', () => {
    const message = notification('2');
    expect(snsStringToSign(message)).toBe(
      `Message\n${message.Message}\nMessageId\n${message.MessageId}\nSubject\n${message.Subject}\nTimestamp\n${message.Timestamp}\nTopicArn\n${message.TopicArn}\nType\nNotification\n`,
    );
  });

  it('signs confirmation fields in the documented order', () => {
    const message = confirmation('SubscriptionConfirmation');
    expect(snsStringToSign(message)).toBe(
      `Message\n${message.Message}\nMessageId\n${message.MessageId}\nSubscribeURL\n${message.SubscribeURL}\nTimestamp\n${message.Timestamp}\nToken\n${message.Token}\nTopicArn\n${message.TopicArn}\nType\nSubscriptionConfirmation\n`,
    );
  });
});

describe('isTrustedSnsUrl', () => {
  it.each<[string, string | undefined, boolean]>([
    ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', undefined, true],
    ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', 'us-east-1', true],
    ['https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem', 'cn-north-1', true],
    ['https://SNS.US-EAST-1.AMAZONAWS.COM/SimpleNotificationService-abc.pem', 'us-east-1', true],
    ['https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=x', 'us-east-1', true],
    ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', 'eu-west-1', false],
    ['http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', undefined, false],
    ['https://sns.us-east-1.amazonaws.com.evil.example/x.pem', undefined, false],
    ['https://evilsns.us-east-1.amazonaws.com/x.pem', undefined, false],
    ['https://sqs.us-east-1.amazonaws.com/x.pem', undefined, false],
    ['https://sns.us_east_1.amazonaws.com/x.pem', undefined, false],
    ['https://sns.us-east-1.amazonaws.com:444/x.pem', undefined, false],
    ['https://a:b@sns.us-east-1.amazonaws.com/x.pem', undefined, false],
    ['', undefined, false],
  ])('%s (region %p) → %p', (url, region, trusted) => {
    expect(isTrustedSnsUrl(url, region)).toBe(trusted);
  });
});
