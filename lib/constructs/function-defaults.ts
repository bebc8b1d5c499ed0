import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** What every Alert Whisperer function is: Node 22 on arm64, traced, bundled locally by esbuild, its own log group and role. */
export interface AlertWhispererFunctionProps {
  /** The handler module (`lambdas/<folder>/index.ts`), exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  /** Says what the role may and may not do; every role here starts with no DynamoDB permission. */
  readonly roleDescription: string;
  readonly memorySize: number;
  readonly timeout: cdk.Duration;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  readonly environment: Record<string, string>;
}

export interface AlertWhispererFunction {
  readonly fn: nodejs.NodejsFunction;
  readonly role: iam.Role;
}

/** Creates `<id>Logs`, `<id>Role` and the function `<id>` in `scope`. */
export function alertWhispererFunction(scope: Construct, id: string, props: AlertWhispererFunctionProps): AlertWhispererFunction {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    removalPolicy: cdk.RemovalPolicy.RETAIN,
  });
  // An explicit role instead of AWSLambdaBasicExecutionRole: it writes to its own log group only.
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.roleDescription });
  logGroup.grantWrite(role);
  const fn = new nodejs.NodejsFunction(scope, id, {
    entry: props.entry,
    handler: 'handler',
    description: props.description,
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    role,
    logGroup,
    tracing: lambda.Tracing.ACTIVE,
    bundling: {
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      target: 'node22',
      logLevel: nodejs.LogLevel.WARNING,
      // The Node 22 runtime ships SDK v3: keep it out of the bundle (cold start, size). Error names
      // that the state machine matches are string literals, safe from minification.
      externalModules: ['@aws-sdk/*'],
    },
    environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
  });
  return { fn, role };
}
