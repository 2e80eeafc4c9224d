import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/project.js';

// The layers of the TypeScript, checked on the import graph (static, type-only and dynamic imports alike):
//
//   commands/  every `vai` verb            may import adapter/ and lib/
//   adapter/   the operator node           may import lib/
//   lib/       the library                 imports only lib/, and its folders only downwards (LIB_ORDER)
//
// script/, bench/ and test/ are leaves: nothing imports script/, and only the benchmarks reuse the test harness. No file imports itself back through any chain (no cycles),
// and the folders of lib/ and of adapter/ form no cycle either.

/** The folders of lib/, bottom first: each may import only folders listed before it (and itself). */
const LIB_ORDER = ['errors.ts', 'project.ts', 'semantics', 'protocol', 'onnx', 'data', 'model', 'zk', 'client', 'gov', 'apps', 'devnet'];
const LAYERS: Record<string, readonly string[]> = { lib: ['lib'], adapter: ['lib', 'adapter'], commands: ['lib', 'adapter', 'commands'] };
const ROOTS = ['lib', 'adapter', 'commands', 'script', 'bench', 'test/ts'];

function* tsFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(join(PROJECT_ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'";]*?from\s*'([^']+)'|import\s*\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm;

/** Every file's imports of project files (relative specifiers, `.js` resolved to the `.ts` source). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const root of ROOTS) {
    for (const file of tsFiles(root)) {
      const source = readFileSync(join(PROJECT_ROOT, file), 'utf8');
      const targets: string[] = [];
      for (const m of source.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (!spec?.startsWith('.')) continue;
        targets.push(normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'));
      }
      graph.set(file, targets);
    }
  }
  return graph;
}

const top = (file: string): string => file.split('/')[0] ?? file;
const libFolder = (file: string): string => file.split('/')[1] ?? file;
const adapterFolder = (file: string): string => (file.split('/').length > 2 ? (file.split('/')[1] ?? file) : file);

/** Strongly connected components with more than one member (or a self-loop): the cycles of a graph. */
function cycles(graph: Map<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}

/** The graph between groups of files (`group` names each file's group), without edges inside a group. */
function groupGraph(graph: Map<string, string[]>, inScope: (f: string) => boolean, group: (f: string) => string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [from, targets] of graph) {
    if (!inScope(from)) continue;
    const edges = groups.get(group(from)) ?? [];
    for (const to of targets) if (inScope(to) && group(to) !== group(from) && !edges.includes(group(to))) edges.push(group(to));
    groups.set(group(from), edges);
  }
  return groups;
}

describe('architecture: the import graph', () => {
  const graph = importGraph();

  it('every relative import names a file that exists', () => {
    const missing = [...graph].flatMap(([from, targets]) => targets.filter((t) => !graph.has(t) && !t.startsWith('typechain/')).map((t) => `${from} -> ${t}`));
    expect(missing).toEqual([]);
  });

  it('runs no edge back up the layers: lib/ <- adapter/ <- commands/; script/ and test/ are leaves', () => {
    const backEdges: string[] = [];
    for (const [from, targets] of graph) {
      for (const to of targets) {
        if (top(to) === 'typechain') continue;
        const allowed = LAYERS[top(from)];
        const leaf = top(to) === 'script' || (top(to) === 'test' && top(from) !== 'bench');
        if ((allowed && !allowed.includes(top(to))) || (leaf && top(from) !== top(to))) backEdges.push(`${from} -> ${to}`);
      }
    }
    expect(backEdges).toEqual([]);
  });

  it('keeps the folders of lib/ in their order (LIB_ORDER): no folder imports one above it', () => {
    const upward: string[] = [];
    for (const [from, targets] of graph) {
      if (top(from) !== 'lib') continue;
      for (const to of targets) {
        if (top(to) !== 'lib') continue;
        const [a, b] = [LIB_ORDER.indexOf(libFolder(from)), LIB_ORDER.indexOf(libFolder(to))];
        if (a < 0 || b < 0 || b > a) upward.push(`${from} -> ${to}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no cycle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no cycle between the folders of adapter/', () => {
    expect(cycles(groupGraph(graph, (f) => top(f) === 'adapter', adapterFolder))).toEqual([]);
  });

  it('checks every root it names (a renamed folder fails here rather than passing unchecked)', () => {
    for (const root of ROOTS)
      expect(
        [...graph.keys()].some((f) => f.startsWith(`${root}/`)),
        root,
      ).toBe(true);
    expect(relative(PROJECT_ROOT, join(PROJECT_ROOT, 'lib'))).toBe('lib');
  });
});
