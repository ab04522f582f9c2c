/**
 * The checks the deployed-assembly test makes of the dashboard and the alarms, on the stack's own template:
 * the access log the harness writes in the stage's format, the metric filter run over it, and widgets
 * planted to fail. The deployed-assembly test (deployed.test.ts) runs the same checks against a real run.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { accessLogOf } from '../../lib/assembly/access-log.ts';
import { checkAlarms } from '../../lib/assembly/alarm-coverage.ts';
import { checkDashboards } from '../../lib/assembly/dashboard-coverage.ts';
import type { EmittedMetric } from '../../lib/assembly/lambda-host.ts';
import { compilePattern, filterMetrics } from '../../lib/assembly/metric-filters.ts';
import { physicalNames } from '../../lib/assembly/resources.ts';
import { type CloudAssembly, resourcesOfType } from '../../lib/assembly/template.ts';
import { METRICS_NAMESPACE, SERVICE } from '../../lib/functions.ts';
import type { AccessRecord } from '../../lib/local/api-gateway.ts';
import { HomebaseDriverStack } from '../../lib/stack/homebase-driver-stack.ts';
import { stackConfig } from '../../lib/stack/stack-config.ts';

const context = { upstream: 'usercenter', usercenterUrl: 'https://uc.example.com', 'aws:cdk:bundling-stacks': [] };
const app = new App({ context });
const stack = new HomebaseDriverStack(app, 'HomebaseDriver', { config: stackConfig((key) => app.node.tryGetContext(key)) });
const template: CloudAssembly = {
  dir: '',
  stackName: 'HomebaseDriver',
  resources: Template.fromStack(stack).toJSON()['Resources'],
  assetDir: () => '',
};
const physical = physicalNames(template, 'http://127.0.0.1:9');
const answer = (routeKey: string, ms: number): AccessRecord => {
  const [method = '', path = ''] = routeKey.split(' ');
  return { method, path, routeKey, sourceIp: '127.0.0.1', status: 200, ms };
};
/** The access log lines of these answers, as the harness writes them in the stage's format. */
function accessLines(...answers: AccessRecord[]) {
  const log = accessLogOf(template, physical);
  for (const a of answers) log.write(a);
  return log.lines;
}
const ACCESS_LOG = 'HomebaseDriver/AccessLog';
const latency = (route: string, value: number): EmittedMetric => ({
  function: expect.stringMatching(/^HttpRoutesLatencyFilter/) as unknown as string,
  namespace: ACCESS_LOG,
  name: 'latency',
  dimensions: { api: 'localapi', route },
  value,
});

describe("the access log, and the stack's metric filter over it", () => {
  it("draws each request's latency by API and route from the lines the stage's format writes", () => {
    const lines = accessLines(answer('POST /v2', 812.4), answer('POST /list', 95));
    const [line] = Object.values(lines)[0]!;
    expect(JSON.parse(line!)).toMatchObject({ route: 'POST /v2', latencyMs: 812, apiId: 'localapi', status: '200' });
    expect(filterMetrics(template, physical, lines)).toEqual([latency('POST /v2', 812), latency('POST /list', 95)]);
  });

  it('publishes nothing for a latency written as a string, a line that is not JSON, or a line of another log group', () => {
    const [group] = Object.keys(accessLines());
    const lines = {
      [group!]: ['{"route":"POST /v2","apiId":"localapi","latencyMs":"812"}', 'POST /v2 812', '{"route":"POST /v2","latencyMs":5}'],
      OtherLogGroup: ['{"route":"POST /v2","apiId":"localapi","latencyMs":812}'],
    };
    expect(filterMetrics(template, physical, lines)).toEqual([]);
  });

  it('understands JSON patterns with &&, || and parentheses, strictly, and refuses the rest by name', () => {
    const matches = compilePattern('{ $.route = "POST /*" && ($.latencyMs > 2000 || $.status != "200") }');
    expect(matches({ route: 'POST /v2', latencyMs: 2500, status: '200' })).toBe(true);
    expect(matches({ route: 'POST /v2', latencyMs: 20, status: '502' })).toBe(true);
    expect(matches({ route: 'POST /v2', latencyMs: 20, status: '200' })).toBe(false);
    expect(matches({ route: 'GET /oauth/start', latencyMs: 2500, status: '200' })).toBe(false);
    expect(matches({ route: 'POST /v2', latencyMs: '2500', status: '200' })).toBe(false);
    expect(() => compilePattern('ERROR')).toThrow('the harness understands JSON filter patterns only, not ERROR');
    expect(() => compilePattern('{ $.route IS NULL }')).toThrow('the harness does not understand IS in { $.route IS NULL }');
    expect(() => compilePattern('{ $.latencyMs > "slow" }')).toThrow('> compares numbers only, in { $.latencyMs > "slow" }');
  });

  it('refuses to start on a $context variable it cannot fill, naming it', () => {
    const [stageId] = resourcesOfType(template, 'AWS::ApiGatewayV2::Stage')[0]!;
    const stage = template.resources[stageId]!;
    const changed: CloudAssembly = {
      ...template,
      resources: {
        ...template.resources,
        [stageId]: {
          ...stage,
          Properties: {
            ...stage.Properties,
            AccessLogSettings: { ...stage.Properties!['AccessLogSettings'], Format: '{"ms":$context.integrationLatency}' },
          },
        },
      },
    };
    expect(() => accessLogOf(changed, physical)).toThrow(
      `the harness does not fill $context.integrationLatency in ${stageId}'s access log`,
    );
  });
});

describe('alarms on the metric filter’s namespace', () => {
  it('count as covered only for the routes the access log had', () => {
    const emitted = filterMetrics(template, physical, accessLines(answer('POST /v2', 40)));
    const report = checkAlarms(template, physical, emitted, METRICS_NAMESPACE);
    expect(report.badDimensions).toEqual([]);
    expect(report.withoutEmitter.filter((w) => w.namespace === ACCESS_LOG).map((w) => w.dimensions['route'])).toEqual([
      'POST /execute',
      'POST /list',
    ]);
  });
});

describe('the dashboard check', () => {
  const [listFunction] = resourcesOfType(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('FunctionsListFunction'))!;
  const [eventsQueue] = resourcesOfType(template, 'AWS::SQS::Queue').find(([id]) => id.startsWith('StateReportsEvents'))!;
  const throttled: EmittedMetric = {
    function: 'command',
    namespace: METRICS_NAMESPACE,
    name: 'sign_ins_throttled',
    dimensions: { service: SERVICE },
    value: 1,
  };
  const emitted = [throttled, ...filterMetrics(template, physical, accessLines(answer('POST /v2', 40)))];

  it("reads the stack's own dashboard: every AWS metric names a resource of the template; the driver's and the filter's must be emitted", () => {
    const report = checkDashboards(template, physical, emitted, METRICS_NAMESPACE);
    expect(report.badDimensions).toEqual([]);
    const quiet = report.withoutEmitter.map((w) => `${w.name} ${w.dimensions['route'] ?? ''}`.trim());
    expect(quiet).toContain('latency POST /list');
    expect(quiet).toContain('events_sent');
    expect(quiet).not.toContain('latency POST /v2');
    expect(quiet).not.toContain('sign_ins_throttled');
  });

  it('fails for planted widgets that watch what nothing emits or no resource of the template', () => {
    const widget = (title: string, metrics: unknown[][]) => ({ type: 'metric', properties: { title, metrics } });
    const body = {
      widgets: [
        { type: 'text', properties: { markdown: '## planted' } },
        widget('good', [
          [METRICS_NAMESPACE, 'sign_ins_throttled', 'service', SERVICE, { stat: 'Sum' }],
          [ACCESS_LOG, 'latency', 'api', 'localapi', 'route', 'POST /v2', { stat: 'p99' }],
          ['AWS/Lambda', 'Invocations', 'FunctionName', physical(listFunction)],
          ['.', 'Errors', '.', '.'],
          ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', physical(eventsQueue, 'QueueName')],
        ]),
        widget('typo', [[METRICS_NAMESPACE, 'sign_ins_throtled', 'service', SERVICE]]),
        widget('quiet route', [[ACCESS_LOG, 'latency', 'api', 'localapi', 'route', 'POST /list']]),
        widget('gone function', [['AWS/Lambda', 'Errors', 'FunctionName', 'HomebaseDriver-OldFunction']]),
        widget('elsewhere', [['Custom/Thing', 'count']]),
      ],
    };
    const planted: CloudAssembly = {
      ...template,
      resources: {
        ...Object.fromEntries(Object.entries(template.resources).filter(([, r]) => r.Type !== 'AWS::CloudWatch::Dashboard')),
        Planted: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody: JSON.stringify(body) } },
      },
    };
    expect(checkDashboards(planted, physical, emitted, METRICS_NAMESPACE)).toEqual({
      withoutEmitter: [
        { widget: 'Planted: typo', namespace: METRICS_NAMESPACE, name: 'sign_ins_throtled', dimensions: { service: SERVICE } },
        { widget: 'Planted: quiet route', namespace: ACCESS_LOG, name: 'latency', dimensions: { api: 'localapi', route: 'POST /list' } },
      ],
      badDimensions: [
        {
          widget: 'Planted: gone function',
          metric: 'AWS/Lambda Errors',
          dimension: 'FunctionName',
          problem: 'FunctionName HomebaseDriver-OldFunction names no AWS::Lambda::Function of the template',
        },
        {
          widget: 'Planted: elsewhere',
          metric: 'Custom/Thing count',
          dimension: '',
          problem: "namespace Custom/Thing is neither the driver's, a metric filter's, nor AWS's",
        },
      ],
    });
  });

  it('refuses widgets it cannot read, rather than passing them', () => {
    const planted = (widget: unknown): CloudAssembly => ({
      ...template,
      resources: { Planted: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody: JSON.stringify({ widgets: [widget] }) } } },
    });
    expect(() => checkDashboards(planted({ type: 'log', properties: { title: 'q' } }), physical, [], METRICS_NAMESPACE)).toThrow(
      'Planted: q is a log widget; the check reads text and metric widgets only',
    );
    const expression = { type: 'metric', properties: { title: 'sum', metrics: [[{ expression: 'SUM(METRICS())' }]] } };
    expect(() => checkDashboards(planted(expression), physical, [], METRICS_NAMESPACE)).toThrow(
      'Planted: sum draws an expression or a malformed metric; the check reads plain metrics only',
    );
  });
});
