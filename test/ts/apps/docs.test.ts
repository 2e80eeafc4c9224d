import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../lib/project.js';

describe('docs/EXAMPLES.md', () => {
  it('every snippet marked with a source file (here and in the README) is that file, verbatim (so it compiles and is tested)', async () => {
    const doc = (await readFile(join(PROJECT_ROOT, 'docs/EXAMPLES.md'), 'utf8')) + (await readFile(join(PROJECT_ROOT, 'README.md'), 'utf8'));
    const snippets = [...doc.matchAll(/<!-- snippet: (\S+) -->\n```\w+\n([\s\S]*?)```/g)];
    expect(snippets.length).toBeGreaterThan(0);
    for (const [, file, code] of snippets) {
      const source = await readFile(join(PROJECT_ROOT, file!), 'utf8');
      expect(code, `${file} and its copy in docs/EXAMPLES.md differ`).toBe(source);
    }
  });

  it('the 20-line consumer is at most 20 lines of contract', async () => {
    const source = await readFile(join(PROJECT_ROOT, 'src-sol/examples/DigitReader.sol'), 'utf8');
    const body = source.slice(source.indexOf('contract DigitReader')).trim().split('\n');
    expect(body.filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(20);
  });
});
