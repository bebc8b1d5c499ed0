import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { apiKeyPepper, forgetServerSecrets } from '../../../lambdas/shared/auth/server-secrets';
import { ENV } from '../../../lambdas/shared/runtime/environment';

const secretsManager = mockClient(SecretsManagerClient);
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:AlertWhispererPepper-AbCdEf';
const saved = { arn: process.env[ENV.apiKeyPepperSecretArn], local: process.env[ENV.localApiKeyPepper] };

afterEach(() => {
  secretsManager.reset();
  forgetServerSecrets();
  for (const [name, value] of [[ENV.apiKeyPepperSecretArn, saved.arn], [ENV.localApiKeyPepper, saved.local]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('the API key pepper', () => {
  it('is the Secrets Manager secret wherever the stack names one, even with a local pepper in the environment', async () => {
    process.env[ENV.apiKeyPepperSecretArn] = SECRET_ARN;
    process.env[ENV.localApiKeyPepper] = Buffer.from('a pepper someone left in the environment').toString('base64');
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: 'the-real-pepper-from-secrets-manager-0123456789' });
    await expect(apiKeyPepper()).resolves.toEqual(Buffer.from('the-real-pepper-from-secrets-manager-0123456789', 'utf8'));
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: SECRET_ARN }]);
  });

  it('is the generated local pepper only where no secret is named (npm start)', async () => {
    delete process.env[ENV.apiKeyPepperSecretArn];
    process.env[ENV.localApiKeyPepper] = Buffer.from('local-pepper-local-pepper-local-pepper').toString('base64');
    await expect(apiKeyPepper()).resolves.toEqual(Buffer.from('local-pepper-local-pepper-local-pepper'));
    expect(secretsManager.calls()).toHaveLength(0);
  });

  it('refuses a secret too short to be a pepper', async () => {
    process.env[ENV.apiKeyPepperSecretArn] = SECRET_ARN;
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'short' });
    await expect(apiKeyPepper()).rejects.toThrow('missing or too short');
  });
});
