/**
 * The credential chain of a Lambda bundle: the environment only. Lambda
 * bundles alias `@aws-sdk/credential-provider-node` to this file
 * (infra/bundle-trims.ts).
 *
 * Every client's `runtimeConfig` imports that package's `defaultProvider`
 * (env, SSO, ini, process, web identity, then container or instance
 * metadata). Bundled, it brings `@aws-sdk/nested-clients` (STS, SSO, SSO
 * OIDC, sign-in) and the other providers: about 110 KiB per bundle, which
 * Lambda never runs, because the runtime hands every function its role's
 * credentials in `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
 * `AWS_SESSION_TOKEN`, the chain's first link. That link is `fromEnv` of
 * `@aws-sdk/credential-provider-env`, exported here under the name the
 * clients import; it has the same signature (options in, provider out) and
 * the same result, credentials marked with the `CREDENTIALS_ENV_VARS`
 * feature. Code run from the sources (tests, the CLI, the rehearsal) keeps
 * the whole chain.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
