/**
 * The part of `@aws-sdk/credential-providers` the probe's MSK IAM signer
 * runs in Lambda. The Kafka bundle aliases that package to this file
 * (infra/bundling.ts): aws-msk-iam-sasl-signer-js is CommonJS and
 * `require`s the package whole, every provider with its nested STS, SSO and
 * Cognito clients (about 165 KiB minified), for the three token functions
 * it exports.
 *
 * `msk-iam.ts` calls only `generateAuthToken`, whose credentials come from
 * `fromNodeProviderChain`; in Lambda that chain ends at its first link, the
 * role's credentials in the environment (see
 * `functions/shared/aws/env-credentials.ts`), so the link stands in for the
 * chain. The signer's profile and assume-role variants would need `fromIni`
 * and `fromTemporaryCredentials`: they are not bundled, and say so if a
 * bundle ever calls them.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export { fromEnv as fromNodeProviderChain };

export function fromIni(): never {
  throw new Error(notBundled('fromIni'));
}

export function fromTemporaryCredentials(): never {
  throw new Error(notBundled('fromTemporaryCredentials'));
}

function notBundled(name: string): string {
  return `@aws-sdk/credential-providers ${name} is not bundled: Lambda bundles keep the environment credentials only (infra/bundling.ts)`;
}
