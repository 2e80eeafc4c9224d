/**
 * Reading a node's Prometheus text (`GET /metrics`) for the local network's narrative: what a histogram recorded for
 * one label value.
 */

/** A histogram's total and number of observations for one `model` label, or undefined when it has none yet. */
export function histogramFor(metricsText: string, metric: string, model: string): { sum: number; count: number } | undefined {
  const read = (suffix: 'sum' | 'count'): number | undefined => {
    const prefix = `${metric}_${suffix}{`;
    for (const line of metricsText.split('\n')) {
      if (!line.startsWith(prefix)) continue;
      const close = line.indexOf('}');
      const labels = line.slice(prefix.length, close);
      if (!labels.split(',').includes(`model="${model}"`)) continue;
      const value = Number(line.slice(close + 1).trim());
      if (Number.isFinite(value)) return value;
    }
    return undefined;
  };
  const sum = read('sum');
  const count = read('count');
  return sum === undefined || count === undefined || count === 0 ? undefined : { sum, count };
}

/** The mean proof time, in seconds, a node's `vai_proving_seconds` histogram holds for `model`. */
export function meanProvingSeconds(metricsText: string, model: string): number | undefined {
  const h = histogramFor(metricsText, 'vai_proving_seconds', model);
  return h && h.sum / h.count;
}
