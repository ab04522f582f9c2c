/**
 * The template's CloudWatch Logs metric filters, run over log lines as CloudWatch Logs would: which metrics
 * they publish, with which dimensions and values. Only JSON filter patterns are understood (`{ $.a >= 0 && ... }`,
 * with `||`, parentheses, numbers and strings with `*`), and strictly: a numeric comparison or a metric value
 * needs a JSON number, a string comparison a JSON string. Anything else in a pattern fails loudly.
 */
import type { EmittedMetric } from './lambda-host.ts';
import { type CloudAssembly, failWith, type Physical, referencedId, resolve, resourcesOfType } from './template.ts';

type Json = Record<string, unknown>;
type Test = (line: Json) => boolean;

/** The namespaces the template's metric filters publish to. */
export function filterNamespaces(assembly: CloudAssembly): Set<string> {
  return new Set(
    resourcesOfType(assembly, 'AWS::Logs::MetricFilter').flatMap(([, filter]) =>
      (filter.Properties?.['MetricTransformations'] ?? []).map((t: { MetricNamespace: string }) => t.MetricNamespace),
    ),
  );
}

/** What each metric filter publishes for the lines of its log group (`lines`, by the group's logical id). */
export function filterMetrics(assembly: CloudAssembly, physical: Physical, lines: Record<string, string[]>): EmittedMetric[] {
  const metrics: EmittedMetric[] = [];
  for (const [id, filter] of resourcesOfType(assembly, 'AWS::Logs::MetricFilter')) {
    const props = filter.Properties ?? {};
    const group = referencedId(props['LogGroupName']) ?? failWith(`metric filter ${id} names its log group other than by Ref`);
    const matches = compilePattern(String(props['FilterPattern']));
    for (const raw of lines[group] ?? []) {
      const line = parseJson(raw);
      if (!line || !matches(line)) continue;
      for (const transformation of props['MetricTransformations'] ?? []) {
        const metric = transform(resolve(transformation, physical), line, `${id} (${group})`);
        if (metric) metrics.push(metric);
      }
    }
  }
  return metrics;
}

function transform(t: Json, line: Json, source: string): EmittedMetric | undefined {
  const value = String(t['MetricValue']).startsWith('$.') ? select(line, String(t['MetricValue'])) : Number(t['MetricValue']);
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const dimensions: Record<string, string> = {};
  for (const { Key, Value } of (t['Dimensions'] ?? []) as { Key: string; Value: string }[]) {
    const field = select(line, Value);
    if (typeof field !== 'string' && typeof field !== 'number') return undefined;
    dimensions[Key] = String(field);
  }
  return { function: source, namespace: String(t['MetricNamespace']), name: String(t['MetricName']), dimensions, value };
}

function parseJson(raw: string): Json | undefined {
  try {
    const parsed = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `$.a.b` in a line: undefined where any step is missing. */
function select(line: Json, selector: string): unknown {
  if (!/^\$(\.[A-Za-z_][\w-]*)+$/.test(selector)) failWith(`the harness does not understand the selector ${selector}`);
  return selector
    .slice(2)
    .split('.')
    .reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Json)[key] : undefined), line);
}

const TOKEN = /\s*(\$[\w.-]+|&&|\|\||[()]|>=|<=|!=|=|>|<|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|[^\s()&|=<>!"]+)/y;

/** A JSON filter pattern, compiled to a test of a parsed line. */
export function compilePattern(pattern: string): Test {
  const body = pattern.trim();
  if (!body.startsWith('{') || !body.endsWith('}')) failWith(`the harness understands JSON filter patterns only, not ${pattern}`);
  const tokens: string[] = [];
  const inner = body.slice(1, -1);
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < inner.trimEnd().length) {
    const match = TOKEN.exec(inner) ?? failWith(`the harness cannot read the filter pattern ${pattern}`);
    tokens.push(match[1]!);
  }
  let at = 0;
  const peek = () => tokens[at];
  const take = () => tokens[at++] ?? failWith(`the filter pattern ${pattern} ends too soon`);
  // `a && b || c && d`: && binds tighter, as in CloudWatch's patterns.
  const chain = (operator: '&&' | '||', next: () => Test, join: 'some' | 'every') => (): Test => {
    const parts = [next()];
    while (peek() === operator) {
      take();
      parts.push(next());
    }
    return (line) => parts[join]((part) => part(line));
  };
  const term = (): Test => {
    if (peek() !== '(') return comparison(take(), take(), take(), pattern);
    take();
    const inside = either();
    if (take() !== ')') failWith(`unbalanced parentheses in the filter pattern ${pattern}`);
    return inside;
  };
  const both = chain('&&', term, 'every');
  const either = chain('||', both, 'some');
  const test = either();
  if (at !== tokens.length) failWith(`the harness cannot read the filter pattern ${pattern} past "${tokens[at]}"`);
  return test;
}

function comparison(selector: string, operator: string, literal: string, pattern: string): Test {
  if (!selector.startsWith('$.')) failWith(`the filter pattern ${pattern} compares ${selector}, not a $. selector`);
  if (!['=', '!=', '>', '<', '>=', '<='].includes(operator)) failWith(`the harness does not understand ${operator} in ${pattern}`);
  if (/^-?\d/.test(literal)) {
    const number = Number(literal);
    return (line) => {
      const value = select(line, selector);
      if (typeof value !== 'number') return false;
      return {
        '=': value === number,
        '!=': value !== number,
        '>': value > number,
        '<': value < number,
        '>=': value >= number,
        '<=': value <= number,
      }[operator]!;
    };
  }
  if (operator !== '=' && operator !== '!=') failWith(`${operator} compares numbers only, in ${pattern}`);
  const text = literal.startsWith('"') ? (JSON.parse(literal) as string) : literal;
  const wildcard = new RegExp(`^${text.split('*').map(escapeRegExp).join('.*')}$`, 's');
  return (line) => {
    const value = select(line, selector);
    return typeof value === 'string' && wildcard.test(value) === (operator === '=');
  };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
