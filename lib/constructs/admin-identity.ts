import * as cdk from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** The group API.md names: only its members are MSP admins. */
export const ADMIN_GROUP = 'msp-admin';

/** Where Cognito puts a user's groups, in access and id tokens alike. */
export const COGNITO_GROUPS_CLAIM = 'cognito:groups';

/** What the admin authorizer needs to verify a staff token (`lambdas/shared/auth/admin-token.ts`). */
export interface AdminTokenSettings {
  /** The `iss` every token must carry. */
  readonly issuer: string;
  /** The Cognito app client id (`client_id` of access tokens, `aud` of id tokens) or the OIDC audience. */
  readonly audience: string;
  /** Where the issuer publishes its signing keys. */
  readonly jwksUrl: string;
  /** The claim listing the caller's groups. */
  readonly groupsClaim: string;
  /** The group a caller must be in. */
  readonly requiredGroup: string;
}

/** An external OIDC issuer for MSP staff, used instead of the stack's own user pool. */
export interface AdminOidcSettings {
  /** `https://…` issuer URL, exactly as the tokens' `iss`. */
  readonly issuer: string;
  /** The audience (`aud`, or `client_id`) tokens must be issued for. */
  readonly audience: string;
  /**
   * The issuer's key set.
   * @default `<issuer>/.well-known/jwks.json`
   */
  readonly jwksUrl?: string;
  /**
   * The claim listing the caller's groups (Okta, Entra ID and Auth0 rules commonly emit `groups`).
   * @default 'groups'
   */
  readonly groupsClaim?: string;
}

export interface AdminIdentityProps {
  /**
   * Staff sign in with this OIDC issuer instead; no user pool is created.
   * @default undefined: a Cognito user pool of this stack
   */
  readonly oidc?: AdminOidcSettings;

  /**
   * What happens to the user pool when it leaves the stack.
   * @default cdk.RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
}

const HTTPS_URL = /^https:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;

/** Reads `-c adminOidcIssuer=… -c adminOidcAudience=… [-c adminOidcJwksUrl=…] [-c adminGroupsClaim=…]`. */
export function adminOidcFromContext(scope: Construct): AdminOidcSettings | undefined {
  const read = (key: string): string | undefined => {
    const value: unknown = scope.node.tryGetContext(key);
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`context ${key} must be a string.`);
    return value;
  };
  const issuer = read('adminOidcIssuer');
  const audience = read('adminOidcAudience');
  const jwksUrl = read('adminOidcJwksUrl');
  const groupsClaim = read('adminGroupsClaim');
  if (!issuer) {
    if (audience || jwksUrl || groupsClaim) {
      throw new Error('context adminOidcAudience, adminOidcJwksUrl and adminGroupsClaim only apply with adminOidcIssuer; give the issuer too, or none of them.');
    }
    return undefined;
  }
  if (!audience) throw new Error('context adminOidcIssuer needs adminOidcAudience: a token for any audience of that issuer would otherwise be accepted.');
  return { issuer, audience, jwksUrl, groupsClaim };
}

/**
 * Who MSP staff are: a Cognito user pool of this stack (no self sign-up, TOTP MFA required,
 * threat protection enforced) with the `msp-admin` group and one public app client, or, when
 * an OIDC issuer is given, nothing but that issuer's settings for the admin authorizer.
 */
export class AdminIdentity extends Construct {
  /** The staff user pool. @default undefined with an OIDC issuer */
  readonly userPool?: cognito.UserPool;

  /** The app client staff tokens are issued to. @default undefined with an OIDC issuer */
  readonly userPoolClient?: cognito.UserPoolClient;

  /** How the admin authorizer verifies a staff token. */
  readonly tokenSettings: AdminTokenSettings;

  constructor(scope: Construct, id: string, props: AdminIdentityProps = {}) {
    super(scope, id);

    if (props.oidc) {
      const { issuer, audience } = props.oidc;
      if (!HTTPS_URL.test(issuer) || issuer.endsWith('/')) {
        throw new Error(`AdminIdentity: OIDC issuer "${issuer}" must be an https URL without a trailing slash, exactly as the tokens' iss claim.`);
      }
      if (props.oidc.jwksUrl !== undefined && !HTTPS_URL.test(props.oidc.jwksUrl)) {
        throw new Error(`AdminIdentity: OIDC JWKS URL "${props.oidc.jwksUrl}" must be an https URL.`);
      }
      if (audience.trim() === '') throw new Error('AdminIdentity: the OIDC audience is empty, so tokens issued to any client would pass.');
      this.tokenSettings = {
        issuer,
        audience,
        jwksUrl: props.oidc.jwksUrl ?? `${issuer}/.well-known/jwks.json`,
        groupsClaim: props.oidc.groupsClaim ?? 'groups',
        requiredGroup: ADMIN_GROUP,
      };
      return;
    }

    const removalPolicy = props.removalPolicy ?? cdk.RemovalPolicy.RETAIN;
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Staff are invited (AdminCreateUser), never self-registered.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      // TOTP only: SMS needs an SNS origination setup and is the weaker factor.
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: cdk.Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus tier: compromised-credential checks and adaptive authentication, enforced (a few admins: cents a month).
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: removalPolicy !== cdk.RemovalPolicy.DESTROY,
      removalPolicy,
    });

    new cognito.UserPoolGroup(this, 'AdminGroup', {
      userPool: this.userPool,
      groupName: ADMIN_GROUP,
      description: 'MSP staff allowed on /admin/v1/*.',
    });

    this.userPoolClient = this.userPool.addClient('AdminClient', {
      // A public client (CLI, SPA): a secret could not be kept.
      generateSecret: false,
      // SRP for interactive sign-in; ADMIN_USER_PASSWORD_AUTH needs IAM credentials, for operators' scripts.
      authFlows: { userSrp: true, adminUserPassword: true },
      disableOAuth: true,
      accessTokenValidity: cdk.Duration.hours(1),
      idTokenValidity: cdk.Duration.hours(1),
      refreshTokenValidity: cdk.Duration.hours(12),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    });

    const issuer = `https://cognito-idp.${cdk.Aws.REGION}.${cdk.Aws.URL_SUFFIX}/${this.userPool.userPoolId}`;
    this.tokenSettings = {
      issuer,
      audience: this.userPoolClient.userPoolClientId,
      jwksUrl: `${issuer}/.well-known/jwks.json`,
      groupsClaim: COGNITO_GROUPS_CLAIM,
      requiredGroup: ADMIN_GROUP,
    };
  }
}
