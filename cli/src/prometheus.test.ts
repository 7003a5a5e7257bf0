import { describe, expect, it } from 'vitest';
import { histogramBuckets, histogramQuantile, parsePrometheusText, sumSamples, type Bucket } from './prometheus.js';

const INF = Number.POSITIVE_INFINITY;

describe('histogramQuantile (PromQL histogram_quantile)', () => {
  // 40 observations: 10 ≤ 0.1, 20 in (0.1, 0.5], 10 in (0.5, 1].
  const buckets: Bucket[] = [
    { le: 0.1, count: 10 },
    { le: 0.5, count: 30 },
    { le: 1, count: 40 },
    { le: INF, count: 40 },
  ];

  it('interpolates linearly inside the bucket the rank falls in', () => {
    // p50: rank 20 → bucket (0.1, 0.5] holds ranks 11..30 → 0.1 + 0.4 × (20 − 10) / 20 = 0.3
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.3, 12);
    // p99: rank 39.6 → bucket (0.5, 1] → 0.5 + 0.5 × (39.6 − 30) / 10 = 0.98
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.98, 12);
    // p25: rank 10 → the first bucket, which starts at 0: 0 + 0.1 × 10 / 10 = 0.1
    expect(histogramQuantile(0.25, buckets)).toBeCloseTo(0.1, 12);
    // p10: rank 4 → 0.1 × 4 / 10 = 0.04
    expect(histogramQuantile(0.1, buckets)).toBeCloseTo(0.04, 12);
  });

  it('does not depend on the order the buckets come in', () => {
    expect(histogramQuantile(0.5, [...buckets].reverse())).toBeCloseTo(0.3, 12);
  });

  it('answers the highest finite bound when the rank falls in the +Inf bucket', () => {
    // rank 9.9 of 10: only 5 observations are ≤ 2, so it lies beyond the last finite bound.
    expect(histogramQuantile(0.99, [{ le: 1, count: 5 }, { le: 2, count: 5 }, { le: INF, count: 10 }])).toBe(2);
  });

  it('skips empty buckets: the rank lands in the first bucket that reaches it', () => {
    // 0 ≤ 1, 0 ≤ 2, 4 ≤ 4: p50 rank 2 → (2, 4] → 2 + 2 × 2 / 4 = 3
    expect(histogramQuantile(0.5, [{ le: 1, count: 0 }, { le: 2, count: 0 }, { le: 4, count: 4 }, { le: INF, count: 4 }])).toBeCloseTo(3, 12);
  });

  it('is null without observations or without a +Inf bucket, and rejects q outside [0, 1]', () => {
    expect(histogramQuantile(0.5, [{ le: 1, count: 0 }, { le: INF, count: 0 }])).toBeNull();
    expect(histogramQuantile(0.5, [{ le: 1, count: 3 }, { le: 2, count: 4 }])).toBeNull();
    expect(histogramQuantile(0.5, [])).toBeNull();
    expect(() => histogramQuantile(1.5, buckets)).toThrow(RangeError);
  });
});

describe('parsePrometheusText / histogramBuckets', () => {
  const text = [
    '# HELP cdc_event_lag_seconds Time from the change in the monolith to its apply',
    '# TYPE cdc_event_lag_seconds histogram',
    'cdc_event_lag_seconds_bucket{le="0.1",projector="catalog",table="products"} 1',
    'cdc_event_lag_seconds_bucket{le="1",projector="catalog",table="products"} 3',
    'cdc_event_lag_seconds_bucket{le="+Inf",projector="catalog",table="products"} 4',
    'cdc_event_lag_seconds_bucket{le="0.1",projector="catalog",table="inventory"} 3',
    'cdc_event_lag_seconds_bucket{le="1",projector="catalog",table="inventory"} 5',
    'cdc_event_lag_seconds_bucket{le="+Inf",projector="catalog",table="inventory"} 6',
    'cdc_event_lag_seconds_sum{projector="catalog",table="products"} 2.5',
    'cdc_event_lag_seconds_count{projector="catalog",table="products"} 4',
    'cdc_records_applied_total{projector="catalog",table="products",op="c",outcome="inserted"} 7',
    'cdc_records_applied_total{projector="catalog",table="inventory",op="u",outcome="updated"} 5 1700000000000',
    'weird_label{path="a \\"quoted\\", b\\\\c"} 1',
    'process_start_time_seconds 1.7e9',
    '',
  ].join('\n');

  it('reads names, labels (with escapes) and values, skipping comments', () => {
    const samples = parsePrometheusText(text);
    expect(samples).toHaveLength(12);
    expect(samples[0]).toEqual({ name: 'cdc_event_lag_seconds_bucket', labels: { le: '0.1', projector: 'catalog', table: 'products' }, value: 1 });
    expect(samples.find((s) => s.name === 'weird_label')?.labels.path).toBe('a "quoted", b\\c');
    expect(samples.find((s) => s.name === 'process_start_time_seconds')?.value).toBe(1.7e9);
    expect(sumSamples(samples, 'cdc_records_applied_total')).toBe(12);
    expect(sumSamples(samples, 'cdc_dead_letters_total')).toBeNull();
  });

  it('sums the buckets over the other labels (sum by le), so the quantile is over every table', () => {
    const buckets = histogramBuckets(parsePrometheusText(text), 'cdc_event_lag_seconds');
    expect(buckets).toEqual([
      { le: 0.1, count: 4 },
      { le: 1, count: 8 },
      { le: INF, count: 10 },
    ]);
    // p50: rank 5 → (0.1, 1] holds ranks 5..8 → 0.1 + 0.9 × (5 − 4) / 4 = 0.325
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.325, 12);
  });

  it('a histogram without series has no buckets; a malformed line throws', () => {
    expect(histogramBuckets(parsePrometheusText('# TYPE cdc_event_lag_seconds histogram\n'), 'cdc_event_lag_seconds')).toEqual([]);
    expect(() => parsePrometheusText('cdc_x{le="1" 3')).toThrow(/malformed/);
    expect(() => parsePrometheusText('cdc_x abc')).toThrow(/malformed/);
  });
});
