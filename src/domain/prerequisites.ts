/**
 * Prerequisites between programs form a directed graph: an edge program → prerequisite means the
 * program is assigned only once the prerequisite is complete. A cycle would mean nobody could ever
 * be assigned any program on it, so the catalog refuses it.
 */

/** program key → the keys of the programs it needs */
export type PrerequisiteGraph = ReadonlyMap<string, readonly string[]>;

/**
 * The graph as it would be once `program`'s prerequisites are replaced by `prerequisites`.
 * Edges are given as [program, prerequisite] pairs.
 */
export function graphWith(
  edges: Iterable<readonly [string, string]>,
  program: string,
  prerequisites: readonly string[],
): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [from, to] of edges) {
    if (from === program) continue;
    graph.set(from, [...(graph.get(from) ?? []), to]);
  }
  graph.set(program, [...prerequisites]);
  return graph;
}

/**
 * A cycle that passes through `start`, as the path of keys walked from it back to it
 * (["a", "b", "a"]; a program that needs itself is ["a", "a"]), or null when there is none.
 * Only cycles through `start` matter: the graph was acyclic before `start`'s edges changed.
 * Neighbours are visited in sorted order, so the same graph always reports the same path.
 */
export function findCycleThrough(graph: PrerequisiteGraph, start: string): string[] | null {
  const visited = new Set<string>();
  // Iterative depth-first search keeping the current path, so long chains cannot overflow the stack.
  const path: string[] = [start];
  const pending: string[][] = [sortedNeighbours(graph, start)];
  visited.add(start);
  while (pending.length > 0) {
    const next = pending[pending.length - 1]!.shift();
    if (next === undefined) {
      pending.pop();
      path.pop();
      continue;
    }
    if (next === start) return [...path, start];
    if (visited.has(next)) continue;
    visited.add(next);
    path.push(next);
    pending.push(sortedNeighbours(graph, next));
  }
  return null;
}

function sortedNeighbours(graph: PrerequisiteGraph, node: string): string[] {
  return [...(graph.get(node) ?? [])].sort();
}
