import { describe, expect, it } from 'vitest';
import { histogramFor, meanProvingSeconds } from '../../../lib/devnet/metrics.js';

const TEXT = [
  '# HELP vai_proving_seconds Proof generation latency',
  '# TYPE vai_proving_seconds histogram',
  'vai_proving_seconds_bucket{le="5",model="lenet5"} 1',
  'vai_proving_seconds_sum{model="digits"} 0.75',
  'vai_proving_seconds_count{model="digits"} 3',
  'vai_proving_seconds_sum{model="lenet5"} 4.5',
  'vai_proving_seconds_count{model="lenet5"} 1',
  'vai_batch_proving_seconds_sum{model="lenet5"} 99',
  'vai_batch_proving_seconds_count{model="lenet5"} 1',
].join('\n');

describe("a node's Prometheus histograms", () => {
  it('reads the sum and count of one model', () => {
    expect(histogramFor(TEXT, 'vai_proving_seconds', 'lenet5')).toEqual({ sum: 4.5, count: 1 });
    expect(histogramFor(TEXT, 'vai_batch_proving_seconds', 'lenet5')).toEqual({ sum: 99, count: 1 });
  });

  it('gives the mean proof time of a model', () => {
    expect(meanProvingSeconds(TEXT, 'digits')).toBe(0.25);
    expect(meanProvingSeconds(TEXT, 'lenet5')).toBe(4.5);
  });

  it('has nothing for a model without observations or a metric that is absent', () => {
    expect(meanProvingSeconds(TEXT, 'lenet')).toBeUndefined();
    expect(histogramFor(TEXT, 'vai_other_seconds', 'lenet5')).toBeUndefined();
    expect(meanProvingSeconds('vai_proving_seconds_sum{model="x"} 0\nvai_proving_seconds_count{model="x"} 0', 'x')).toBeUndefined();
    expect(meanProvingSeconds('', 'lenet5')).toBeUndefined();
  });
});
