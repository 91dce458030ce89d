/**
 * `npx cdk synth` / `npx cdk deploy`: the msk-cutover stack, checked by
 * cdk-nag's AwsSolutions rules as part of CDK's own validation (synth fails
 * while any finding is neither fixed nor acknowledged with a reason).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CutoverStack } from './cutover-stack.ts';
import { readDeployContext } from './deploy-context.ts';

/** Builds the app; tests call it with their own `App`. */
export function buildApp(
  app: App = new App(),
  projectRoot?: string,
): {
  app: App;
  stack: CutoverStack;
} {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const deploy = readDeployContext((key) => app.node.tryGetContext(key));
  const stack = new CutoverStack(app, 'MskCutover', {
    deploy,
    ...(projectRoot === undefined ? {} : { projectRoot }),
    description:
      'msk-cutover: app-by-app migration of external Kafka to Amazon MSK Express with MSK Replicator',
  });
  return { app, stack };
}

if (import.meta.main) {
  buildApp().app.synth();
}
