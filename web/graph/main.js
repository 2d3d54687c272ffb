import { draw, format, light, shapeOf, update } from './draw.js';

/**
 * The graph page: the running graph, redrawn when a reload changes it and
 * its counters updated every second, and the recent traces, one of which
 * can be lit on the graph. It reads GET B/graph and B/graph/traces, where B
 * is the chat API beside the page.
 */
const API = 'chat';
const EVERY_MS = 1000;

const svg = document.getElementById('graph');
const source = document.getElementById('source');
const status = document.getElementById('status');
const list = document.getElementById('traces');

let shape;
let traces = [];
/** The chosen trace's key: requests under one caller's trace share its id, so its start tells them apart. */
let chosen;
const keyOf = (trace) => `${trace.traceId}@${trace.startedAt}`;

async function read(path) {
  const response = await fetch(`${API}/${path}`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function showSource(graph) {
  const loaded = graph.loadedAt === undefined ? '' : `, loaded ${new Date(graph.loadedAt).toLocaleString()}`;
  source.textContent = `${graph.name}: ${graph.file ?? 'graph.json'}${loaded}`;
  source.setAttribute('data-loaded-at', graph.loadedAt ?? '');
}

function showTraces() {
  const items = traces.map((trace) => {
    const item = document.createElement('li');
    item.setAttribute('data-trace-id', trace.traceId);
    item.setAttribute('data-key', keyOf(trace));
    const button = document.createElement('button');
    button.type = 'button';
    button.setAttribute('aria-pressed', String(keyOf(trace) === chosen));
    button.textContent = `${trace.method} ${trace.path} → ${trace.status}, ${format(trace.ms)}, ${trace.hops.length} hops`;
    button.addEventListener('click', () => choose(keyOf(trace) === chosen ? undefined : keyOf(trace)));
    item.append(button);
    return item;
  });
  list.replaceChildren(...items);
}

function choose(key) {
  chosen = key;
  light(svg, traces.find((t) => keyOf(t) === chosen));
  for (const button of list.querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(button.parentElement.getAttribute('data-key') === chosen));
  }
}

async function refresh() {
  try {
    const [graph, recent] = await Promise.all([read('graph'), read('graph/traces')]);
    const next = shapeOf(graph);
    if (next !== shape) {
      shape = next;
      draw(svg, graph);
      light(svg, traces.find((t) => keyOf(t) === chosen));
    } else {
      update(svg, graph);
    }
    showSource(graph);
    const keys = recent.traces.map(keyOf).join();
    if (keys !== traces.map(keyOf).join()) {
      traces = recent.traces;
      showTraces();
    }
    status.textContent = '';
  } catch (error) {
    status.textContent = `Cannot reach the server (${error.message}); trying again.`;
  } finally {
    setTimeout(refresh, EVERY_MS);
  }
}

void refresh();
