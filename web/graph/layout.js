/**
 * layout places a graph left to right in flow order: each process one
 * column right of the furthest process that feeds it (the arrows that close
 * a cycle aside), starting where packets enter, and within a column near the
 * processes that feed it, so that arrows mostly run forward and cross little.
 *
 * @param {{processes: {name: string}[], connections: {from: string, to: string}[]}} graph
 * @returns {{columns: string[][], column: Map<string, number>, row: Map<string, number>}}
 */
export function layout(graph) {
  const processOf = (end) => end.slice(0, end.indexOf('.'));
  const next = new Map(graph.processes.map((p) => [p.name, []]));
  const entries = [];
  for (const c of graph.connections) {
    const to = processOf(c.to);
    if (c.from.startsWith('(')) entries.push(to);
    else next.get(processOf(c.from))?.push(to);
  }
  // Depth first from the entries: an arrow back to a process still being visited closes a cycle, and does not count.
  const state = new Map();
  const forward = new Map(graph.processes.map((p) => [p.name, []]));
  const finished = [];
  const visit = (name) => {
    state.set(name, 'visiting');
    for (const to of next.get(name) ?? []) {
      if (state.get(to) === 'visiting') continue;
      forward.get(name).push(to);
      if (!state.has(to)) visit(to);
    }
    state.set(name, 'done');
    finished.push(name);
  };
  for (const name of [...entries, ...graph.processes.map((p) => p.name)]) if (!state.has(name)) visit(name);
  // Each process one column right of the furthest of those that feed it: the answerer ends up last.
  const column = new Map(graph.processes.map((p) => [p.name, 0]));
  for (const name of finished.reverse()) {
    for (const to of forward.get(name)) column.set(to, Math.max(column.get(to), column.get(name) + 1));
  }

  const columns = [];
  for (const p of graph.processes) (columns[column.get(p.name)] ??= []).push(p.name);
  const row = new Map();
  const feeders = new Map(graph.processes.map((p) => [p.name, []]));
  for (const c of graph.connections) if (!c.from.startsWith('(')) feeders.get(processOf(c.to))?.push(processOf(c.from));
  columns.forEach((names, index) => {
    if (index > 0) {
      // Near the average row of the processes in earlier columns that feed it.
      const weight = (name) => {
        const rows = (feeders.get(name) ?? []).filter((f) => column.get(f) < index).map((f) => row.get(f));
        return rows.length === 0 ? Infinity : rows.reduce((a, b) => a + b, 0) / rows.length;
      };
      names.sort((a, b) => weight(a) - weight(b));
    }
    names.forEach((name, i) => row.set(name, i));
  });
  return { columns, column, row };
}
