/**
 * Imported first by `bench/run.ts`, before anything that logs or builds an SDK client:
 * module evaluation order is the only ordering an import guarantees.
 */

// This machine runs Node 20; the SDK's notice about Node 22 (Lambda's runtime) would interleave with the figures.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// The handlers log at INFO in AWS; a thousand request lines would bury the figures.
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
// Clients built without a region (the STS path) resolve it from here, as in Lambda.
process.env.AWS_REGION ??= 'us-east-1';

export {};
