import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { RoleSessionCredentials, SESSION_DURATION_SECONDS } from '../../../lambdas/shared/access/session-credentials';

const sts = mockClient(STSClient);
let now = Date.parse('2024-01-15T12:00:00Z');
let issued = 0;

/** A counting STS stand-in: 15-minute sessions from the test's clock. */
async function issue() {
  issued += 1;
  return {
    Credentials: {
      AccessKeyId: `ASIA${String(issued).padStart(16, '0')}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(now + SESSION_DURATION_SECONDS * 1000),
    },
  };
}

beforeEach(() => {
  sts.reset();
  issued = 0;
  sts.on(AssumeRoleCommand).callsFake(issue);
});

const request = (tenant: string) => ({
  roleArn: 'arn:aws:iam::111111111111:role/TenantDataAccessRole',
  sessionName: `tenant-${tenant}`,
  tags: [{ Key: 'tenant_id', Value: tenant }],
});

describe('RoleSessionCredentials', () => {
  it('assumes the role once per tenant, with the tenant tag, and reuses the session', async () => {
    const sessions = new RoleSessionCredentials(new STSClient({}), 10, () => now);
    const first = await sessions.get('acme', request('acme'));
    for (let i = 0; i < 50; i += 1) expect(await sessions.get('acme', request('acme'))).toBe(first);
    await sessions.get('beta', request('beta'));
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual(
      ['acme', 'beta'].map((tenant) => ({
        RoleArn: 'arn:aws:iam::111111111111:role/TenantDataAccessRole',
        RoleSessionName: `tenant-${tenant}`,
        DurationSeconds: 900,
        Tags: [{ Key: 'tenant_id', Value: tenant }],
      })),
    );
  });

  it("passes a client role's External ID to STS, and only there", async () => {
    const sessions = new RoleSessionCredentials(new STSClient({}), 10, () => now);
    await sessions.get('client', { roleArn: 'arn:aws:iam::222222222222:role/AlertWhispererMSP', sessionName: 'AlertWhisperer-acme-1767225600', externalId: 'x'.repeat(40) });
    await sessions.get('acme', request('acme'));
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.ExternalId)).toEqual(['x'.repeat(40), undefined]);
  });

  it('renews a minute before expiry, not before', async () => {
    const sessions = new RoleSessionCredentials(new STSClient({}), 10, () => now);
    const start = now;
    await sessions.get('acme', request('acme'));
    now = start + (SESSION_DURATION_SECONDS - 61) * 1000;
    await sessions.get('acme', request('acme'));
    expect(issued).toBe(1);
    now = start + (SESSION_DURATION_SECONDS - 60) * 1000;
    await sessions.get('acme', request('acme'));
    expect(issued).toBe(2);
    now = start;
  });

  it('shares one AssumeRole among concurrent requests of a tenant', async () => {
    const sessions = new RoleSessionCredentials(new STSClient({}), 10, () => now);
    await Promise.all(Array.from({ length: 20 }, () => sessions.get('acme', request('acme'))));
    expect(issued).toBe(1);
  });

  it('keeps at most the bound of tenants, forgetting the least recently used', async () => {
    const sessions = new RoleSessionCredentials(new STSClient({}), 2, () => now);
    await sessions.get('a1', request('a1'));
    await sessions.get('a2', request('a2'));
    await sessions.get('a1', request('a1'));
    await sessions.get('a3', request('a3'));
    expect(issued).toBe(3);
    await sessions.get('a1', request('a1'));
    expect(issued).toBe(3);
    await sessions.get('a2', request('a2'));
    expect(issued).toBe(4);
  });

  it('does not cache a failed AssumeRole', async () => {
    const sessions = new RoleSessionCredentials(new STSClient({}), 10, () => now);
    sts.on(AssumeRoleCommand).rejectsOnce(Object.assign(new Error('throttled'), { name: 'Throttling' })).callsFake(issue);
    await expect(sessions.get('acme', request('acme'))).rejects.toThrow('throttled');
    await expect(sessions.get('acme', request('acme'))).resolves.toMatchObject({ sessionToken: 'token' });
  });
});
