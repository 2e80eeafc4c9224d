import { describe, expect, it } from 'vitest';
import { runFailover } from './helpers/replicas.js';

describe('replicas on PostgreSQL', () => {
  it('survives SIGKILLs of the leader while requests flow: nothing lost, nothing submitted twice, takeover within 10 s', async () => {
    const figures = await runFailover({ kills: 2, rate: 5, intervalMs: 4000, log: (line) => console.log(line) });
    expect(figures.requests).toBeGreaterThan(20);
    expect(figures.lost).toBe(0);
    expect(figures.proposed).toBe(figures.requests);
    expect(figures.duplicates).toBe(0);
    expect(figures.reverted).toBe(0);
    expect(figures.takeoverMs).toHaveLength(2);
    for (const ms of figures.takeoverMs) expect(ms).toBeLessThan(10_000);
  }, 240_000);
});
