import { layout } from './layout.js';

const SVG = 'http://www.w3.org/2000/svg';
const BOX = { width: 168, height: 54 };
const STEP = { x: 250, y: 84 };
const MARGIN = { left: 110, top: 24, bottom: 90 };

/** connectionKey names a connection as the page's hooks do: `Src.port>Tgt.port`, `(http)>Session.in` for an inport. */
export const connectionKey = (c) => `${c.from}>${c.to}`;

/** shapeOf is what a redraw depends on: the processes and connections, not their counters. */
export const shapeOf = (graph) =>
  JSON.stringify([graph.processes.map((p) => [p.name, p.component]), graph.connections.map(connectionKey)]);

function element(name, attributes = {}, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  parent?.append(node);
  return node;
}

/**
 * draw renders the graph into the SVG: a box per process, an arrow per
 * connection, laid out left to right in flow order. The counters are filled
 * in by update().
 */
export function draw(svg, graph) {
  for (const child of [...svg.children]) if (child.tagName !== 'title') child.remove();
  const { columns, column, row } = layout(graph);
  const at = (name) => ({ x: MARGIN.left + column.get(name) * STEP.x, y: MARGIN.top + row.get(name) * STEP.y });
  const rows = Math.max(1, ...columns.map((names) => names.length));
  const height = MARGIN.top + rows * STEP.y + MARGIN.bottom;
  const width = MARGIN.left + columns.length * STEP.x;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));

  const defs = element('defs', {}, svg);
  const marker = element('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' }, defs);
  element('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }, marker);

  const edges = element('g', { class: 'connections' }, svg);
  const boxes = element('g', { class: 'processes' }, svg);
  const bottom = MARGIN.top + rows * STEP.y;
  graph.connections.forEach((c, index) => {
    const to = c.to.slice(0, c.to.indexOf('.'));
    const target = at(to);
    const entry = c.from.startsWith('(');
    const from = entry ? undefined : c.from.slice(0, c.from.indexOf('.'));
    let d;
    let label;
    if (entry) {
      const x1 = target.x - 90;
      const y = target.y + BOX.height / 2;
      d = `M ${x1} ${y} L ${target.x} ${y}`;
      label = { x: x1 + 8, y: y - 8 };
      element('text', { x: x1 - 4, y: y + 4, class: 'inport', 'text-anchor': 'end' }, svg).textContent = c.from;
    } else {
      const source = at(from);
      const x1 = source.x + BOX.width;
      const y1 = source.y + BOX.height / 2;
      if (column.get(to) > column.get(from)) {
        const x2 = target.x;
        const y2 = target.y + BOX.height / 2;
        const bend = (x2 - x1) / 2;
        d = `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`;
        label = { x: (x1 + 3 * (x1 + bend) + 3 * (x2 - bend) + x2) / 8, y: (y1 + 3 * y1 + 3 * y2 + y2) / 8 - 6 };
      } else {
        // Backwards or within a column: under the boxes, from bottom to bottom.
        const sx = source.x + BOX.width / 2;
        const tx = target.x + BOX.width / 2 + 12;
        const sy = source.y + BOX.height;
        const ty = target.y + BOX.height;
        const dip = Math.min(bottom + 40 + (index % 4) * 10, Math.max(sy, ty) + 36 + (index % 4) * 10);
        d = `M ${sx} ${sy} C ${sx} ${dip}, ${tx} ${dip}, ${tx} ${ty}`;
        label = { x: (sx + tx) / 2, y: (sy + 3 * dip + 3 * dip + ty) / 8 + 14 };
      }
    }
    const group = element('g', { 'data-connection': connectionKey(c), 'data-sent': 0, 'data-waiting': 0, class: 'connection' }, edges);
    element('title', {}, group).textContent = `${c.from} → ${c.to}`;
    element('path', { d, 'marker-end': 'url(#arrow)' }, group);
    element('text', { x: label.x, y: label.y, 'text-anchor': 'middle', class: 'count' }, group);
  });

  for (const p of graph.processes) {
    const { x, y } = at(p.name);
    const group = element('g', { 'data-process': p.name, 'data-errors': 0, class: 'process', transform: `translate(${x} ${y})` }, boxes);
    element('rect', { width: BOX.width, height: BOX.height, rx: 8 }, group);
    element('text', { x: BOX.width / 2, y: 22, 'text-anchor': 'middle', class: 'name' }, group).textContent = p.name;
    element('text', { x: BOX.width / 2, y: 40, 'text-anchor': 'middle', class: 'component' }, group).textContent = p.component === p.name ? '' : p.component;
    element('text', { x: BOX.width - 8, y: 14, 'text-anchor': 'end', class: 'errors' }, group);
    element('text', { x: BOX.width / 2, y: BOX.height + 15, 'text-anchor': 'middle', class: 'hop', 'data-hop-ms': '' }, group);
  }
  update(svg, graph);
}

/** update writes the counters of a graph already drawn: packets sent and waiting per connection, errors per process. */
export function update(svg, graph) {
  for (const c of graph.connections) {
    const group = svg.querySelector(`[data-connection="${CSS.escape(connectionKey(c))}"]`);
    if (group === null) continue;
    group.setAttribute('data-sent', String(c.sent));
    group.setAttribute('data-waiting', String(c.waiting));
    group.classList.toggle('waiting', c.waiting > 0);
    const count = group.querySelector('.count');
    count.textContent = c.waiting > 0 ? `${c.sent.toLocaleString('en')} (+${c.waiting} waiting)` : c.sent.toLocaleString('en');
    group.querySelector('title').textContent = `${c.from} → ${c.to}: ${c.sent} sent, ${c.waiting} waiting, room for ${c.capacity}`;
  }
  for (const p of graph.processes) {
    const group = svg.querySelector(`[data-process="${CSS.escape(p.name)}"]`);
    if (group === null) continue;
    group.setAttribute('data-errors', String(p.errors));
    group.querySelector('.errors').textContent = p.errors > 0 ? `${p.errors} ✕` : '';
    group.classList.toggle('failing', p.errors > 0);
  }
}

/**
 * light shows a trace's path: the processes it visited with the time at each
 * hop, and the connections it took between them. Undefined clears it.
 */
export function light(svg, trace) {
  for (const lit of svg.querySelectorAll('.lit')) lit.classList.remove('lit');
  for (const hop of svg.querySelectorAll('[data-hop-ms]')) {
    hop.textContent = '';
    hop.setAttribute('data-hop-ms', '');
  }
  if (trace === undefined) return;
  const times = new Map();
  trace.hops.forEach((hop, i) => {
    const box = svg.querySelector(`[data-process="${CSS.escape(hop.process)}"]`);
    box?.classList.add('lit');
    times.set(hop.process, [...(times.get(hop.process) ?? []), hop]);
    const previous = trace.hops[i - 1];
    const to = `${hop.process}.${hop.port}`;
    for (const edge of svg.querySelectorAll('[data-connection]')) {
      const [from, target] = edge.getAttribute('data-connection').split('>');
      const fromOk = previous === undefined ? from.startsWith('(') : from.startsWith(`${previous.process}.`);
      if (target === to && fromOk) edge.classList.add('lit');
    }
  });
  for (const [process, hops] of times) {
    const label = svg.querySelector(`[data-process="${CSS.escape(process)}"] [data-hop-ms]`);
    if (label === null) continue;
    const ms = hops.reduce((sum, h) => sum + h.ms, 0);
    const waited = hops.reduce((sum, h) => sum + h.waitMs, 0);
    label.setAttribute('data-hop-ms', String(ms));
    label.textContent = `${format(ms)}${waited > 0 ? ` (waited ${format(waited)})` : ''}`;
  }
}

/** format writes a duration in ms readably. */
export function format(ms) {
  return ms >= 100 ? `${Math.round(ms)} ms` : ms >= 1 ? `${ms.toFixed(1)} ms` : `${Math.round(ms * 1000)} µs`;
}
