// No import cycle in server/ (DESIGN rule 11: dependencies point down), type imports included:
// a cycle through `import type` is still two modules that each need the other to be understood.
// The graph is read with TypeScript's own import scanner, so `import type`, `export … from` and
// dynamic `import()` all count.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SERVER = 'server';

type Graph = Map<string, string[]>;

function serverFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return serverFiles(rel);
    return entry.name.endsWith('.ts') ? [rel] : [];
  });
}

/** The server/ files a file's text imports, as repository-relative paths. */
function importsIn(file: string, text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((ref) => ref.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)))
    .filter((target) => target.startsWith(`${SERVER}/`));
}

function importGraph(): Graph {
  return new Map(serverFiles(SERVER).map((file) => [file, importsIn(file, readFileSync(path.join(ROOT, file), 'utf8'))]));
}

/** Strongly connected components of more than one file, or a file importing itself (Tarjan). */
function cycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)!.includes(file)) found.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

describe('server/ import graph', () => {
  const graph = importGraph();

  it('resolves every relative import to a file in server/', () => {
    const missing = [...graph].flatMap(([file, targets]) => targets.filter((t) => !graph.has(t)).map((t) => `${file} → ${t}`));
    expect(missing).toEqual([]);
  });

  it('has no import cycle, type imports included', () => {
    expect(cycles(graph).map((c) => c.join(' ↔ '))).toEqual([]);
  });

  it('finds a cycle made only of type imports', () => {
    const typeOnly = new Map([
      ['server/a.ts', importsIn('server/a.ts', "import type { B } from './b.ts';")],
      ['server/b.ts', importsIn('server/b.ts', "export type { A } from './a.ts';")],
    ]);
    expect(cycles(typeOnly)).toEqual([['server/a.ts', 'server/b.ts']]);
  });
});
