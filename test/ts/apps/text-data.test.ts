import { describe, expect, it } from 'vitest';
import { AppDataError } from '../../../lib/apps/errors.js';
import { MODERATION_CORPUS, PROPOSAL_CORPUS, TEXT_LABEL_NOISE, featurizedCsv, generateTextData, parseTextTsv, textTsv } from '../../../lib/apps/text-data.js';
import { textFeatures } from '../../../lib/apps/text.js';
import { parseCsv } from '../../../lib/data/csv.js';

describe('generateTextData', () => {
  for (const corpus of [PROPOSAL_CORPUS, MODERATION_CORPUS]) {
    describe(corpus.classes.join('/'), () => {
      const data = generateTextData(corpus, 2000, 5);

      it('is deterministic for a seed and differs between seeds', () => {
        expect(generateTextData(corpus, 100, 5)).toEqual(data.slice(0, 100));
        expect(generateTextData(corpus, 100, 6)).not.toEqual(data.slice(0, 100));
      });

      it('fills every slot and uses the templates of the generated class', () => {
        for (const e of data) expect(e.text).not.toMatch(/[{}]/);
        // Before noise, example i has label i mod 2: count the flips and compare with the documented rate.
        const flipped = data.filter((e, i) => e.label !== i % 2).length / data.length;
        expect(flipped).toBeGreaterThan(TEXT_LABEL_NOISE / 3);
        expect(flipped).toBeLessThan(TEXT_LABEL_NOISE * 2);
        const starts = (label: 0 | 1) => corpus.templates[label].map((t) => t.split(' {')[0]!.split('{')[0]!);
        data.forEach((e, i) => {
          const generatedAs = (i % 2) as 0 | 1;
          expect(starts(generatedAs).some((s) => e.text.startsWith(s))).toBe(true);
        });
      });
    });
  }
});

describe('text data files', () => {
  it('round-trips through the TSV format', () => {
    const data = generateTextData(PROPOSAL_CORPUS, 30, 1);
    expect(parseTextTsv(textTsv(data))).toEqual(data);
  });

  it('names the line at fault', () => {
    expect(() => parseTextTsv('text\tlabel\n')).toThrow(AppDataError);
    expect(() => parseTextTsv('label\ttext\n0\tok\n2\tbad\n')).toThrow(/tsv:3/);
    expect(() => parseTextTsv('label\ttext\n')).toThrow(/no examples/);
    expect(() => textTsv([{ label: 0, text: 'a\tb' }])).toThrow(AppDataError);
  });

  it('featurizes into a training CSV of 64 bucket columns and the label', () => {
    const data = generateTextData(MODERATION_CORPUS, 10, 2);
    const ds = parseCsv(featurizedCsv(data));
    expect(ds.featureNames).toHaveLength(64);
    expect(ds.featureNames[0]).toBe('b0');
    expect(ds.labels).toEqual(data.map((e) => e.label));
    expect(Array.from(ds.rows[3]!)).toEqual(textFeatures(data[3]!.text));
  });
});
