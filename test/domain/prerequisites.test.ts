import { findCycleThrough, graphWith } from '../../src/domain/prerequisites';

/** A program's prerequisites may never lead back to it: nobody could ever start such a chain. */
describe('checking program prerequisites for cycles', () => {
  const existing: [string, string][] = [
    ['advanced-care', 'clinical-safety'],
    ['clinical-safety', 'privacy'],
    ['leadership', 'privacy'],
  ];

  test('a chain of prerequisites without a way back is accepted', () => {
    const graph = graphWith(existing, 'ward-management', ['advanced-care', 'leadership']);
    expect(findCycleThrough(graph, 'ward-management')).toBeNull();
  });

  test('two programs that share a prerequisite are not a cycle', () => {
    const graph = graphWith(existing, 'privacy', []);
    expect(findCycleThrough(graph, 'privacy')).toBeNull();
    expect(findCycleThrough(graphWith(existing, 'induction', ['leadership', 'clinical-safety']), 'induction')).toBeNull();
  });

  test('a program that needs itself is reported as the one-step cycle', () => {
    expect(findCycleThrough(graphWith(existing, 'privacy', ['privacy']), 'privacy')).toEqual(['privacy', 'privacy']);
  });

  test('a program that needs one of the programs needing it reports the path back to itself', () => {
    const graph = graphWith(existing, 'privacy', ['advanced-care']);
    expect(findCycleThrough(graph, 'privacy')).toEqual(['privacy', 'advanced-care', 'clinical-safety', 'privacy']);
  });

  test("replacing a program's prerequisites drops its old edges before checking", () => {
    // clinical-safety used to need privacy; now it needs leadership instead, and privacy may need clinical-safety.
    const withoutOldEdge = graphWith(existing, 'clinical-safety', ['leadership']);
    const edges = [...withoutOldEdge].flatMap(([from, tos]) => tos.map((to) => [from, to] as const));
    expect(findCycleThrough(graphWith(edges, 'privacy', ['clinical-safety']), 'privacy')).toEqual([
      'privacy',
      'clinical-safety',
      'leadership',
      'privacy',
    ]);
    expect(findCycleThrough(graphWith(edges, 'privacy', ['advanced-care']), 'privacy')).toEqual([
      'privacy',
      'advanced-care',
      'clinical-safety',
      'leadership',
      'privacy',
    ]);
  });

  test('a long chain is walked without running out of stack, and the same graph gives the same path', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => [`p${i}`, `p${i + 1}`] as [string, string]);
    const graph = graphWith(chain, 'p20000', ['p0']);
    const cycle = findCycleThrough(graph, 'p20000');
    expect(cycle).toHaveLength(20_002);
    expect(cycle!.slice(0, 3)).toEqual(['p20000', 'p0', 'p1']);
    expect(findCycleThrough(graph, 'p20000')).toEqual(cycle);
    expect(findCycleThrough(graphWith(chain, 'p20000', []), 'p20000')).toBeNull();
  });
});
