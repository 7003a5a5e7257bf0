/**
 * Just enough of the Prometheus text exposition format (what prom-client serves on /metrics) to read a projector's
 * histograms and counters, and histogram_quantile as Prometheus computes it.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  return Number(text);
}

/** Labels from just after `{` up to the matching `}`; returns them and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === ',') i += 1;
    if (line[i] === '}') return { labels, end: i + 1 };
    const eq = line.indexOf('=', i);
    if (eq < 0 || line[eq + 1] !== '"') break;
    const key = line.slice(i, eq).trim();
    let value = '';
    i = eq + 2;
    while (i < line.length && line[i] !== '"') {
      if (line[i] === '\\') {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else {
        value += line[i];
        i += 1;
      }
    }
    labels[key] = value;
    i += 1;
  }
  throw new Error(`malformed labels in metrics line: ${line}`);
}

/** Every sample line; comments (# HELP, # TYPE) and blank lines are skipped, malformed lines throw. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.slice(0, brace);
      const parsed = parseLabels(line, brace + 1);
      labels = parsed.labels;
      rest = line.slice(parsed.end).trim();
    } else {
      if (space < 0) throw new Error(`malformed metrics line: ${line}`);
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const value = parseValue(rest.split(/\s+/)[0] ?? '');
    if (name === '' || (Number.isNaN(value) && !rest.startsWith('NaN'))) throw new Error(`malformed metrics line: ${line}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

export interface Bucket {
  /** Upper bound (`le`); +Infinity for the last bucket. */
  le: number;
  /** Cumulative count of observations ≤ le. */
  count: number;
}

/**
 * The cumulative buckets of histogram `name` summed over all its other labels (`sum by (le)`), sorted by bound.
 * Empty when the histogram has no series (prom-client exposes a labelled histogram only once it has observed).
 */
export function histogramBuckets(samples: readonly Sample[], name: string): Bucket[] {
  const byLe = new Map<number, number>();
  for (const sample of samples) {
    if (sample.name !== `${name}_bucket` || sample.labels.le === undefined) continue;
    const le = parseValue(sample.labels.le);
    byLe.set(le, (byLe.get(le) ?? 0) + sample.value);
  }
  return [...byLe.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of cumulative buckets, like PromQL's histogram_quantile: find the bucket the rank
 * q × count falls in and interpolate linearly between its lower and upper bound (the first bucket starts at 0).
 * A rank in the +Inf bucket gives the highest finite bound. Null without observations or without a +Inf bucket
 * (where Prometheus answers NaN).
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const last = sorted[sorted.length - 1];
  if (sorted.length < 2 || !last || last.le !== Number.POSITIVE_INFINITY) return null;
  // Cumulative counts must not decrease; scrapes of separate series can disagree slightly (Prometheus fixes it the same way).
  for (let i = 1; i < sorted.length; i += 1) {
    const previous = sorted[i - 1] as Bucket;
    const current = sorted[i] as Bucket;
    if (current.count < previous.count) sorted[i] = { le: current.le, count: previous.count };
  }
  const total = (sorted[sorted.length - 1] as Bucket).count;
  if (total === 0) return null;
  const rank = q * total;
  let b = sorted.findIndex((bucket, i) => i < sorted.length - 1 && bucket.count >= rank);
  if (b < 0) b = sorted.length - 1;
  if (b === sorted.length - 1) return (sorted[sorted.length - 2] as Bucket).le;
  const bucket = sorted[b] as Bucket;
  if (b === 0 && bucket.le <= 0) return bucket.le;
  const start = b === 0 ? 0 : (sorted[b - 1] as Bucket).le;
  const below = b === 0 ? 0 : (sorted[b - 1] as Bucket).count;
  const inBucket = bucket.count - below;
  // Only q = 0 with an empty first bucket gets here with nothing in the bucket.
  return inBucket === 0 ? start : start + (bucket.le - start) * ((rank - below) / inBucket);
}

/** The sum of every series of a counter or gauge; null when it has none. */
export function sumSamples(samples: readonly Sample[], name: string): number | null {
  const matching = samples.filter((sample) => sample.name === name);
  return matching.length === 0 ? null : matching.reduce((sum, sample) => sum + sample.value, 0);
}
