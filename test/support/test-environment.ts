// Runs before every test file (jest setupFiles).

// This machine runs Node 20; the SDK's notice about Node 22 (Lambda's runtime) is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Handlers log at INFO in AWS; tests keep the console readable unless a test captures logs itself.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_REGION ??= 'us-east-1';

// aws-local-stepfunctions uses Promise.withResolvers, which Node 20 lacks (Node 22, Lambda's runtime, has it).
import '../../bin/local/promise-with-resolvers';
