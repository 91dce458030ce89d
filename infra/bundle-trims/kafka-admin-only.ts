/**
 * The part of @platformatic/kafka the probe uses: the Admin client and the
 * enumerations of its requests. Lambda bundles alias `@platformatic/kafka`
 * to this file (infra/bundle-trims.ts) because the package root also exports the
 * producer, the consumer and the Confluent schema registry (with `avsc`),
 * and, having no `sideEffects: false`, esbuild keeps them all. The package's
 * `exports` map exposes only its root, so these are file paths.
 */

export {
  AclOperations,
  AclPermissionTypes,
  ConfigResourceTypes,
  ResourcePatternTypes,
  ResourceTypes,
} from '../../node_modules/@platformatic/kafka/dist/apis/enumerations.js';
export { Admin } from '../../node_modules/@platformatic/kafka/dist/clients/admin/index.js';
