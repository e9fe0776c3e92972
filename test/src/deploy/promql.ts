/**
 * What a PromQL expression refers to: the metric names it selects, the label names it
 * matches or groups by, and its equality matchers. Not a PromQL parser (promtool checks
 * the syntax): a tokenizer that knows where names stand, enough for the rules in
 * deploy/prometheus and the queries of deploy/grafana, which the tests compare with what
 * the services export.
 */
export interface PromqlReferences {
  readonly metrics: ReadonlySet<string>;
  readonly labels: ReadonlySet<string>;
  /** `metric{label="value"}` (and `label!="value"`): the values a selector names. */
  readonly matchers: readonly {
    readonly metric: string | undefined;
    readonly label: string;
    readonly op: '=' | '!=' | '=~' | '!~';
    readonly value: string;
  }[];
}

type Token =
  | { kind: 'name'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'punct'; text: string };

/** Words that are never metric names where they stand. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);
/** Aggregation operators: `sum by (…) (…)` has no parenthesis right after the name. */
const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
/** Keywords followed by a parenthesised list of label names. */
const GROUPINGS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const TOKEN =
  /\s+|#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|(\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:ms|[smhdwy])*|0x[0-9a-f]+)|([A-Za-z_:][A-Za-z0-9_:]*)|(=~|!~|!=|==|<=|>=|[-+*/%^<>=(){}[\],:@])/giy;

export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (match === null) throw new Error(`cannot read PromQL at ${at}: ${expression.slice(at)}`);
    const [text, number, name, punct] = match;
    if (number !== undefined) tokens.push({ kind: 'number', text: number });
    else if (name !== undefined) tokens.push({ kind: 'name', text: name });
    else if (punct !== undefined) tokens.push({ kind: 'punct', text: punct });
    else if (/^["'`]/.test(text)) tokens.push({ kind: 'string', text: unquote(text) });
  }
  return tokens;
}

function unquote(text: string): string {
  if (text.startsWith('`')) return text.slice(1, -1);
  return text.slice(1, -1).replace(/\\(.)/g, '$1');
}

export function promqlReferences(expression: string): PromqlReferences {
  const tokens = tokenize(expression);
  const metrics = new Set<string>();
  const labels = new Set<string>();
  const matchers: PromqlReferences['matchers'][number][] = [];
  const at = (i: number): Token | undefined => tokens[i];
  const isPunct = (i: number, text: string) => at(i)?.kind === 'punct' && at(i)?.text === text;
  for (let i = 0; i < tokens.length; i++) {
    const token = at(i);
    if (token === undefined) break;
    if (token.kind === 'punct' && token.text === '[') {
      // a range or subquery: durations only
      while (i < tokens.length && !isPunct(i, ']')) i++;
      continue;
    }
    if (token.kind === 'punct' && token.text === '{') {
      const previous = at(i - 1);
      const metric =
        previous?.kind === 'name' && !KEYWORDS.has(previous.text) ? previous.text : undefined;
      for (i++; i < tokens.length && !isPunct(i, '}'); i++) {
        const label = at(i);
        if (label?.kind !== 'name') continue;
        const op = at(i + 1)?.text as '=' | '!=' | '=~' | '!~';
        const value = at(i + 2);
        if (!['=', '!=', '=~', '!~'].includes(op) || value?.kind !== 'string')
          throw new Error(`unexpected matcher near ${label.text} in: ${expression}`);
        if (label.text === '__name__') {
          if (op === '=') metrics.add(value.text);
        } else {
          labels.add(label.text);
          matchers.push({ metric, label: label.text, op, value: value.text });
        }
        i += 2;
      }
      continue;
    }
    if (token.kind !== 'name') continue;
    if (GROUPINGS.has(token.text)) {
      if (isPunct(i + 1, '(')) {
        for (i += 2; i < tokens.length && !isPunct(i, ')'); i++) {
          const label = at(i);
          if (label?.kind === 'name') labels.add(label.text);
        }
      }
      continue;
    }
    if (KEYWORDS.has(token.text) || AGGREGATIONS.has(token.text)) {
      if (token.text === 'offset') i++; // its duration
      continue;
    }
    if (isPunct(i + 1, '(')) continue; // a function or an aggregation
    metrics.add(token.text);
  }
  return { metrics, labels, matchers };
}

/**
 * A Grafana query as Prometheus would get it: the dashboard's variables replaced by
 * values of the right shape (`$__rate_interval` by a range, `$namespace` by a regex).
 */
export function withGrafanaVariables(expression: string): string {
  return expression
    .replace(/\$\{?__(rate_interval|interval|range)\}?/g, '5m')
    .replace(/\$\{?__range_s\}?/g, '300')
    .replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*(:[a-z]+)?\}?/g, '.*');
}
