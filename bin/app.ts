/**
 * The CDK app: `npm run synth` / `npm run deploy`. Settings come from context (cdk.json or `-c key=value`);
 * lib/stack-config.ts lists them. cdk-nag's AwsSolutions pack runs on every synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HomebaseDriverStack } from '../lib/stack/homebase-driver-stack.ts';
import { stackConfig } from '../lib/stack/stack-config.ts';

const app = new App();
const config = stackConfig((key) => app.node.tryGetContext(key));
new HomebaseDriverStack(app, app.node.tryGetContext('stackName') ?? 'HomebaseDriver', {
  config,
  env: { account: process.env['CDK_DEFAULT_ACCOUNT'], region: process.env['CDK_DEFAULT_REGION'] },
  description: 'homebase-driver: a Rokid Homebase HTTP remote driver',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
