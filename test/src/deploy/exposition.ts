/** A metric family of a Prometheus text exposition (`/metrics`, format 0.0.4). */
export interface Family {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly samples: { name: string; labels: Record<string, string>; value: number }[];
}

const SAMPLE = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/;
const LABEL = /\s*([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (match === null) throw new Error(`cannot read the labels of: ${line}`);
    const [, name = '', value = ''] = match;
    labels[name] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** The family a sample belongs to: `x_bucket`, `x_sum`, `x_count` of histogram `x`. */
function familyOf(name: string, families: ReadonlyMap<string, Family>): Family | undefined {
  const direct = families.get(name);
  if (direct !== undefined) return direct;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  const family = base === undefined ? undefined : families.get(base);
  return family !== undefined && ['histogram', 'summary'].includes(family.type)
    ? family
    : undefined;
}

/** Families by name, their samples under them; a sample of no declared family is an error. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta !== null) {
      const [, what, name = '', rest = ''] = meta;
      if (what === 'HELP') helps.set(name, rest);
      else families.set(name, { name, type: rest, help: helps.get(name) ?? '', samples: [] });
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`cannot read the sample: ${line}`);
    const [, name = '', labels = '', value] = match;
    const family = familyOf(name, families);
    if (family === undefined) throw new Error(`a sample of no declared family: ${line}`);
    family.samples.push({ name, labels: parseLabels(labels, line), value: Number(value) });
  }
  return families;
}

/** The series names a family has in PromQL: a histogram's `_bucket`, `_sum` and `_count`. */
export function seriesNames(family: Family): string[] {
  if (family.type === 'histogram')
    return ['_bucket', '_sum', '_count'].map((suffix) => family.name + suffix);
  if (family.type === 'summary') return [family.name, `${family.name}_sum`, `${family.name}_count`];
  return [family.name];
}
