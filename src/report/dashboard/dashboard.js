/* global document, fetch, window, setTimeout */
// The fleet dashboard: one screen for the whole fleet — at a glance, by customer and by
// service — with drill-down to a gateway, its services, their pods' logs and its history.
// Reads /status every few seconds; builds the page with DOM calls and text nodes only (no
// HTML parsing), since messages and names come from the fleet repo and the cluster.
'use strict';

const PHASES = ['Ready', 'Progressing', 'Degraded', 'Offline', 'Unregistered', 'AwaitingApproval', 'OutsideWindow', 'RolledBack', 'Failed'];
// Live without a reload: an offline gateway's chip turns within a few seconds of /status saying so.
const REFRESH_MS = 3000;
const LOG_TAIL = 200;
// snapshot: the fleet list (GET status?view=list, no histories); detail: the selected gateway whole (GET status/gateways/NAME).
const state = { phase: undefined, customer: '', search: '', view: 'customers', service: undefined, selected: undefined, snapshot: undefined, detail: undefined, searchKeys: new Map(), logs: undefined };

const SVG = 'http://www.w3.org/2000/svg';

function el(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children, false);
}

// An SVG element's className cannot be assigned: its class is an attribute like the others.
function svg(tag, attrs, ...children) {
  return build(document.createElementNS(SVG, tag), attrs, children, true);
}

function build(node, attrs, children, isSvg) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === 'class' && !isSvg) node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return node;
}

/** A bad commit's problem where it can be fixed: FILE:LINE:COL: CODE: message, or the load's own failure. */
function problemLine(p) {
  return p.file === undefined ? `load: ${p.message}` : `${p.file}:${p.line}:${p.col}: ${p.code}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`;
}

function short(revision) {
  return revision ? revision.slice(0, 8) : '—';
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

// A maintenance window's next opening: the UTC instant and the same instant in the customer's zone.
function opening(next) {
  return `${next.at} UTC · ${next.local} ${next.timezone}`;
}

function renderFleet(fleet) {
  const pass = fleet.lastPass;
  const items = [
    el('span', {}, 'revision ', el('b', {}, short(fleet.revision))),
    el('span', {}, 'last good ', el('b', {}, short(fleet.lastGoodRevision))),
    el('span', {}, 'last pass ', pass ? `${pass.result} in ${pass.durationMs} ms at ${when(pass.finished)}` : 'none yet'),
    fleet.currentPass ? el('span', {}, 'pass running since ', when(fleet.currentPass.started)) : undefined,
    fleet.source.ok ? el('span', {}, 'fleet repo reachable') : el('span', { class: 'bad' }, `fleet repo unreachable: ${fleet.source.error || ''}`),
    fleet.badCommit ? el('span', { class: 'bad', title: fleet.badCommit.problems.map(problemLine).join('\n') }, `commit ${short(fleet.badCommit.revision)} is invalid (${fleet.badCommit.problems.length} problems)`) : undefined,
    fleet.resourceMetrics && !fleet.resourceMetrics.available ? el('span', { class: 'bad' }, fleet.resourceMetrics.message || 'no CPU or memory figures') : undefined,
    fleet.replica ? el('span', {}, `${fleet.replica.identity} ${replicaStanding(fleet.replica)}`) : undefined,
    fleet.unmanagedNodes ? el('span', { class: 'bad', id: 'unmanaged', title: fleet.unmanagedNodes.map((n) => `${n.name} (Ready=${n.ready})`).join('\n') },
      `${fleet.unmanagedNodes.length} edge node(s) no gateway declares: ${fleet.unmanagedNodes.slice(0, 5).map((n) => n.name).join(', ')}${fleet.unmanagedNodes.length > 5 ? ', …' : ''}`) : undefined,
  ];
  document.getElementById('fleet').replaceChildren(...items.filter(Boolean));
  const buttons = PHASES.map((phase) =>
    el('button', {
      class: `${phase}${state.phase === phase ? ' active' : ''}`,
      title: `show only ${phase}`,
      'aria-pressed': String(state.phase === phase),
      'data-phase': phase,
      onclick: () => { state.phase = state.phase === phase ? undefined : phase; draw(); },
    }, `${phase} ${fleet.phases[phase] || 0}`));
  document.getElementById('phases').replaceChildren(...buttons);
}

function renderRollouts(rollouts) {
  const section = document.getElementById('rollouts');
  if (!rollouts || rollouts.length === 0) { section.hidden = true; return; }
  section.hidden = false;
  const select = selectGateway;
  section.replaceChildren(el('h2', {}, 'rollouts'), ...rollouts.map((r) =>
    el('div', { class: `rollout${r.halted ? ' halted' : ''}` },
      el('h3', {}, `${short(r.id)} · ${r.halted ? 'halted' : r.complete ? 'complete' : 'in progress'}`),
      r.halted ? el('p', { class: 'bad' }, `halted by ${r.halted.by}: ${r.halted.reason}`) : undefined,
      r.waves.map((w) => el('div', { class: 'wave' },
        el('span', { class: 'label' }, w.wave === 0 ? 'canary' : `wave ${w.wave}`),
        w.gateways.map((g) => el('button', { class: `chip ${g.status}`, title: `${g.gateway}: ${g.status}`, onclick: select(g.gateway) }, `${g.gateway} ${g.status}`)))),
      r.pending.length ? el('p', {}, `not reached yet: ${r.pending.length}`) : undefined,
      r.deferred && r.deferred.length ? el('div', { class: 'wave' },
        el('span', { class: 'label' }, 'deferred'),
        r.deferred.map((d) => el('button', {
          class: `chip deferred ${d.reason}`,
          title: d.reason === 'offline' ? `${d.gateway}: edge node offline` : `${d.gateway}: outside its maintenance windows; the next opens ${opening(d.nextOpen)}`,
          onclick: select(d.gateway),
        }, `${d.gateway} ${d.reason}`))) : undefined)));
}

function renderCustomers(gateways) {
  const byCustomer = new Map();
  for (const g of gateways) {
    if (!byCustomer.has(g.customer)) byCustomer.set(g.customer, []);
    byCustomer.get(g.customer).push(g);
  }
  const sections = [...byCustomer.entries()].map(([customer, list]) =>
    el('div', { class: 'customer' },
      el('h2', {}, `${customer} (${list.length})`, el('span', { class: 'customer-phases' }, phaseSummary(list))),
      el('div', { class: 'tiles' }, list.map((g) =>
        el('button', {
          class: `tile ${g.phase}${state.selected === g.gateway ? ' selected' : ''}`,
          title: `${g.gateway}: ${g.phase} — ${g.message}${g.rollout ? ` (rollout ${short(g.rollout.id)}: ${g.rollout.state})` : ''}`,
          'data-gateway': g.gateway,
          onclick: selectGateway(g.gateway),
        }, g.gateway)))));
  document.getElementById('customers').replaceChildren(...(sections.length ? sections : [el('p', {}, 'no gateways match')]));
}

function selectGateway(gateway) {
  return () => { state.selected = gateway; window.location.hash = encodeURIComponent(gateway); draw(); void loadDetail().then(draw); };
}

/** The selected gateway with its history and pods, which the fleet list leaves out. */
async function loadDetail() {
  const name = state.selected;
  if (!name) { state.detail = undefined; return; }
  const response = await fetch(`status/gateways/${encodeURIComponent(name)}`, { headers: { accept: 'application/json' } });
  if (state.selected !== name) return;
  state.detail = response.ok ? await response.json() : undefined;
}

// "3 Ready · 1 Offline": a customer's gateways by phase, the phases it has only.
function phaseSummary(gateways) {
  const counts = countBy(gateways, (g) => g.phase);
  return PHASES.filter((phase) => counts.get(phase)).map((phase) => `${counts.get(phase)} ${phase}`).join(' · ');
}

function countBy(items, keyOf) {
  const counts = new Map();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) || 0) + 1);
  return counts;
}

const inFlight = (rollout) => !rollout.complete && !rollout.halted;

// The whole fleet in a line of figures, each named so a reader (and a test) can find it.
function renderGlance(snapshot) {
  const { fleet, rollouts, gateways } = snapshot;
  const figure = (name, label, value, bad) => el('span', { class: `figure${bad && value ? ' bad' : ''}`, 'data-figure': name }, `${label} `, el('b', {}, String(value)));
  document.getElementById('glance').replaceChildren(
    figure('gateways', 'gateways', gateways.length),
    figure('ready', 'ready', fleet.phases.Ready || 0),
    figure('rollouts', 'rollouts in progress', rollouts.filter(inFlight).length),
    figure('halted', 'rollouts halted', rollouts.filter((r) => r.halted).length, true),
    figure('offline', 'offline', fleet.phases.Offline || 0, true),
    figure('unregistered', 'not joined', fleet.phases.Unregistered || 0, true),
    figure('failed', 'failed', (fleet.phases.Failed || 0) + (fleet.phases.RolledBack || 0), true),
    figure('degraded', 'degraded', fleet.phases.Degraded || 0, true),
  );
}

// Search, customer filter and view: built once, so a redraw never takes the focus or the caret from them.
function renderControls() {
  const controls = document.getElementById('controls');
  const search = el('input', { type: 'search', id: 'search', placeholder: 'search gateway, customer, node, service', 'aria-label': 'search gateways by name, customer, node or service' });
  search.addEventListener('input', () => { state.search = search.value.trim().toLowerCase(); draw(); });
  const customer = el('select', { id: 'customer-filter', 'aria-label': 'show one customer' }, el('option', { value: '' }, 'all customers'));
  customer.addEventListener('change', () => { state.customer = customer.value; draw(); });
  const view = (name, label) => el('button', { id: `view-${name}`, 'aria-pressed': String(state.view === name), onclick: () => { state.view = name; draw(); } }, label);
  controls.replaceChildren(search, customer, view('customers', 'by customer'), view('services', 'by service'));
}

// The customer filter's options follow the fleet; rebuilt only when its customers change.
function renderCustomerOptions(gateways) {
  const select = document.getElementById('customer-filter');
  if (!select) return;
  const customers = [...new Set(gateways.map((g) => g.customer))];
  if (select.dataset.customers === customers.join('\n')) return;
  select.dataset.customers = customers.join('\n');
  select.replaceChildren(el('option', { value: '' }, 'all customers'), ...customers.map((c) => el('option', { value: c }, c)));
  select.value = state.customer;
}

// Each gateway's search text, lower-cased once per snapshot, so a keystroke at 1,000 gateways is one pass of includes().
function indexSearch(gateways) {
  state.searchKeys = new Map(gateways.map((g) => [g.gateway, [g.gateway, g.customer, g.node && g.node.name, ...g.services.map((s) => s.name)].join(' ').toLowerCase()]));
}

function visibleGateways(gateways) {
  return gateways.filter((g) =>
    (!state.phase || g.phase === state.phase)
    && (!state.customer || g.customer === state.customer)
    && (!state.search || (state.searchKeys.get(g.gateway) || '').includes(state.search)));
}

// Each service of the catalog that runs somewhere: the versions that run and on how many
// gateways, how many are not ready, and how far each rollout that moves it has come.
function serviceRows(gateways, rollouts) {
  const rolloutById = new Map(rollouts.map((r) => [r.id, r]));
  const rows = new Map();
  for (const g of gateways) {
    for (const s of g.services) {
      if (!rows.has(s.name)) rows.set(s.name, { name: s.name, gateways: [], running: new Map(), notReady: 0, atDesired: 0, rollouts: new Map() });
      const row = rows.get(s.name);
      row.gateways.push({ gateway: g, service: s });
      const running = s.runningVersion || 'not running';
      row.running.set(running, (row.running.get(running) || 0) + 1);
      if (!s.ready) row.notReady += 1;
      if (s.runningVersion === s.desiredVersion) row.atDesired += 1;
      const rollout = g.rollout && rolloutById.get(g.rollout.id);
      // A rollout that says which services it changes counts for those only.
      if (rollout && inFlight(rollout) && (!rollout.services || rollout.services.some((c) => c.service === s.name))) row.rollouts.set(rollout.id, rollout);
    }
  }
  // A service a rollout installs runs nowhere yet: it has its row all the same.
  for (const rollout of rollouts.filter(inFlight)) {
    for (const change of rollout.services || []) {
      if (!rows.has(change.service)) rows.set(change.service, { name: change.service, gateways: [], running: new Map(), notReady: 0, atDesired: 0, rollouts: new Map() });
      rows.get(change.service).rollouts.set(rollout.id, rollout);
    }
  }
  return [...rows.values()].sort((a, b) => a.name.localeCompare(b.name));
}

// What a rollout does to one service: "1.0.0 → 1.1.0", "installs 2.4.0", "stops it".
function changeOf(rollout, service) {
  const change = (rollout.services || []).find((c) => c.service === service);
  if (!change) return '';
  if (change.to === undefined) return ` stops ${change.from.join(', ')}`;
  return change.from.length ? ` ${change.from.join(', ')} → ${change.to}` : ` installs ${change.to}`;
}

// A rollout's progress: its gateways done of all it will reach.
function rolloutProgress(rollout) {
  const reached = rollout.waves.flatMap((w) => w.gateways);
  const done = reached.filter((g) => g.status === 'done').length;
  return `${short(rollout.id)}: ${done} of ${reached.length + rollout.pending.length} done`;
}

function renderServices(gateways, rollouts) {
  const rows = serviceRows(gateways, rollouts);
  const chosen = rows.find((row) => row.name === state.service);
  // A part that does not apply is left out, not drawn as the text "undefined".
  document.getElementById('services').replaceChildren(...[
    el('h2', {}, 'services'),
    rows.length === 0 ? el('p', {}, 'no services match') : el('table', { id: 'service-table' },
      el('tr', {}, ['service', 'versions running', 'gateways', 'not ready', 'at their desired version', 'rollouts that change it'].map((h) => el('th', {}, h))),
      rows.map((row) => el('tr', { 'data-service': row.name },
        el('td', {}, el('button', { 'aria-label': `show the gateways running ${row.name}`, 'aria-pressed': String(row.name === state.service), onclick: () => { state.service = state.service === row.name ? undefined : row.name; draw(); } }, row.name)),
        el('td', {}, [...row.running.entries()].map(([version, n]) => `${version} on ${n}`).join(', ')),
        el('td', {}, row.gateways.length),
        el('td', { class: row.notReady ? 'bad' : '' }, row.notReady),
        el('td', {}, `${row.atDesired} of ${row.gateways.length}`),
        el('td', { class: 'service-rollouts' }, [...row.rollouts.values()].map((r) => `${rolloutProgress(r)}${changeOf(r, row.name)}`).join('; ') || '—')))),
    chosen ? el('div', { class: 'tiles', id: 'service-gateways', 'aria-label': `gateways running ${chosen.name}` }, chosen.gateways.map(({ gateway: g, service: s }) =>
      el('button', {
        class: `tile ${s.ready ? g.phase : 'Degraded'}`,
        title: `${g.gateway}: ${s.name} ${s.runningVersion || 'not running'} (desired ${s.desiredVersion})${s.ready ? '' : ', not ready'}`,
        'data-gateway': g.gateway,
        onclick: selectGateway(g.gateway),
      }, `${g.gateway} ${s.runningVersion || '—'}`))) : undefined,
  ].filter(Boolean));
}

function percent(used, of) {
  return of ? ` (${Math.round((used / of) * 100)}%)` : '';
}

// CPU in millicores, memory in MiB as kubectl top prints them, each against its bound when there is one.
function cpu(used, of) {
  return `${used}m${of ? `/${of}m` : ''}${percent(used, of)}`;
}

function memory(used, of) {
  const mi = (n) => `${Math.round(n / 1048576)}Mi`;
  return `${mi(used)}${of ? `/${mi(of)}` : ''}${percent(used, of)}`;
}

// The service's recent lines from GET /logs (the pods/log subresource); an offline or silent gateway answers with why.
async function showLogs(gateway, service) {
  state.logs = { gateway, service, text: 'loading…' };
  draw();
  try {
    const response = await fetch(`logs/${encodeURIComponent(gateway)}/${encodeURIComponent(service)}?tail=${LOG_TAIL}`);
    const text = await response.text();
    let shown = text;
    if (!response.ok) {
      try { shown = JSON.parse(text).error; } catch { shown = `HTTP ${response.status}`; }
    }
    // The pod the lines came from: the last step of the drill-down, gateway → service → pod → logs.
    const pod = response.ok && response.headers ? response.headers.get('x-essg-pod') : undefined;
    state.logs = { gateway, service, pod, text: shown || '(no lines)', failed: !response.ok };
  } catch (error) {
    state.logs = { gateway, service, text: `logs unavailable: ${error.message}`, failed: true };
  }
  draw();
}

function renderLogs(g) {
  const logs = state.logs;
  if (!logs || logs.gateway !== g.gateway) return [];
  return [
    el('h3', {}, `logs of ${logs.service}${logs.pod ? ` from pod ${logs.pod}` : ''} (last ${LOG_TAIL} lines) `,
      el('button', { 'aria-label': `reload the logs of ${logs.service}`, onclick: () => showLogs(logs.gateway, logs.service) }, 'reload'),
      el('button', { 'aria-label': 'close the logs', onclick: () => { state.logs = undefined; draw(); } }, 'close')),
    el('pre', { id: 'logs', class: logs.failed ? 'logs bad' : 'logs', 'aria-live': 'polite' }, logs.text),
  ];
}

// The gateway's services and their data flows, as the catalog declares them: the site's
// network on the left, the services in the middle, the SOC and the customer's systems on the
// right. Drawn as SVG, and listed as text beside it for screen readers and search.
const FLOW_ENDS = { site: 'site network', soc: 'SOC', customer: "customer's systems" };

function endName(end) {
  return end.startsWith('service:') ? end.slice('service:'.length) : FLOW_ENDS[end];
}

function flowGraph(g) {
  const services = g.services.map((s) => s.name);
  const row = 34;
  const height = Math.max(3, services.length) * row + 20;
  const box = { w: 130, h: 24 };
  const x = { site: 10, service: 215, right: 420 };
  const place = new Map([
    ['site', { x: x.site, y: height / 2 - box.h / 2 }],
    ['soc', { x: x.right, y: height / 3 - box.h / 2 }],
    ['customer', { x: x.right, y: (2 * height) / 3 - box.h / 2 }],
    ...services.map((name, i) => [`service:${name}`, { x: x.service, y: 10 + i * row }]),
  ]);
  const ends = new Set(g.flows.flatMap((f) => [f.from, f.to]));
  const boxes = [...place].filter(([end]) => end.startsWith('service:') || ends.has(end)).map(([end, at]) => svg('g', { class: `flow-end ${end.startsWith('service:') ? 'svc' : end}` },
    svg('rect', { x: at.x, y: at.y, width: box.w, height: box.h, rx: 4 }),
    svg('text', { x: at.x + box.w / 2, y: at.y + 16, 'text-anchor': 'middle' }, endName(end))));
  const edges = g.flows.filter((f) => place.has(f.from) && place.has(f.to)).map((f) => {
    const a = place.get(f.from);
    const b = place.get(f.to);
    const sideways = a.x === b.x;
    const from = { x: sideways ? a.x + box.w : (a.x < b.x ? a.x + box.w : a.x), y: a.y + box.h / 2 };
    const to = { x: sideways ? b.x + box.w : (a.x < b.x ? b.x : b.x + box.w), y: b.y + box.h / 2 };
    const bend = sideways ? `C ${from.x + 60} ${from.y}, ${to.x + 60} ${to.y}` : `C ${(from.x + to.x) / 2} ${from.y}, ${(from.x + to.x) / 2} ${to.y}`;
    return svg('path', { class: 'flow', d: `M ${from.x} ${from.y} ${bend}, ${to.x} ${to.y}`, 'marker-end': 'url(#arrow)' }, svg('title', {}, `${endName(f.from)} → ${endName(f.to)}: ${f.what}`));
  });
  return svg('svg', { id: 'flow-graph', viewBox: `0 0 560 ${height}`, width: '100%', role: 'img', 'aria-label': `data flows of ${g.gateway}` },
    svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, svg('path', { d: 'M 0 0 L 10 5 L 0 10 z' }))),
    ...edges, ...boxes);
}

function renderFlows(g) {
  if (!g.flows) return [];
  return [
    el('h3', {}, 'data flows'),
    g.flows.length === 0 ? el('p', {}, 'its services declare no data flows') : flowGraph(g),
    el('ul', { id: 'flows', class: 'flows' }, g.flows.map((f) => el('li', {}, `${endName(f.from)} → ${endName(f.to)}: ${f.what}`))),
  ];
}

function renderDetail(gateways) {
  const panel = document.getElementById('detail');
  const listed = gateways.find((x) => x.gateway === state.selected);
  if (!listed) { panel.hidden = true; return; }
  // The list's entry until the gateway's own record (history, pods) has come.
  const g = state.detail && state.detail.gateway === listed.gateway ? state.detail : listed;
  const pods = g.services.flatMap((s) => (s.pods || []).map((p) => ({ ...p, service: s.name })));
  panel.hidden = false;
  const node = g.node || {};
  const pressure = node.pressure ? Object.entries(node.pressure).filter(([, on]) => on).map(([k]) => k).join(', ') || 'none' : '—';
  const approval = g.approval
    ? [el('h3', {}, 'approval'), el('p', {}, g.approval.summary)]
    : [];
  // A part that does not apply is left out, not drawn as the text "undefined".
  panel.replaceChildren(...[
    el('button', { 'aria-label': `close ${g.gateway}`, onclick: () => { state.selected = undefined; state.detail = undefined; window.location.hash = ''; draw(); } }, 'close'),
    el('h2', {}, `${g.gateway} `, el('span', { class: `tile ${g.phase}` }, g.phase)),
    el('p', {}, `customer ${g.customer} · node ${node.name} (Ready=${node.ready}, heartbeat ${when(node.lastHeartbeat)}, pressure ${pressure})`),
    el('p', { class: 'node-use' }, node.usage ? `node use: CPU ${cpu(node.usage.cpuMillicores, node.usage.cpuCapacityMillicores)}, memory ${memory(node.usage.memoryBytes, node.usage.memoryCapacityBytes)}` : 'node use: no figures'),
    el('p', {}, `applied ${short(g.appliedRevision)} · pending ${short(g.pendingRevision)} · since ${when(g.lastTransition)}`),
    el('div', { class: 'message' }, `${g.reason}: ${g.message}`),
    g.rollout ? el('p', {}, `rollout ${short(g.rollout.id)}${g.rollout.wave !== undefined ? `, wave ${g.rollout.wave}` : ''}: ${g.rollout.message}`) : undefined,
    g.rollout && g.rollout.nextWindow ? el('p', { class: 'next-window' }, `next maintenance window opens ${opening(g.rollout.nextWindow)}`) : undefined,
    el('h3', {}, 'services'),
    el('table', {},
      el('tr', {}, ['service', 'desired', 'running', 'ready', 'restarts', 'CPU/limit', 'memory/limit', 'changed', ''].map((h) => el('th', {}, h))),
      g.services.map((s) => el('tr', {},
        el('td', {}, s.name), el('td', {}, s.desiredVersion), el('td', {}, s.runningVersion || '—'),
        el('td', {}, s.ready ? 'yes' : 'no'), el('td', {}, s.restarts),
        el('td', {}, s.usage ? cpu(s.usage.cpuMillicores, s.usage.cpuLimitMillicores) : '—'),
        el('td', {}, s.usage ? memory(s.usage.memoryBytes, s.usage.memoryLimitBytes) : '—'),
        el('td', {}, when(s.lastTransition)),
        el('td', {}, el('button', { 'aria-label': `show the logs of ${s.name}`, onclick: () => showLogs(g.gateway, s.name) }, 'logs'))))),
    el('h3', {}, 'pods'),
    !g.history ? el('p', {}, 'loading…') : pods.length === 0 ? el('p', {}, 'no pods') : undefined,
    el('table', { id: 'pods' }, pods.map((p) => el('tr', {},
      el('td', {}, p.service), el('td', {}, p.name), el('td', {}, p.version || '—'), el('td', {}, p.phase),
      el('td', {}, p.ready ? 'ready' : 'not ready'), el('td', {}, `${p.restarts} restarts`), el('td', {}, p.message ? `${p.health}: ${p.message}` : p.health),
      el('td', {}, el('button', { 'aria-label': `show the logs of ${p.service} on ${g.gateway}`, onclick: () => showLogs(g.gateway, p.service) }, 'logs'))))),
    ...renderFlows(g),
    ...renderLogs(g),
    ...approval,
    el('h3', {}, 'history'),
    !g.history ? el('p', {}, 'loading…') : g.history.length === 0 ? el('p', {}, 'nothing recorded yet') : undefined,
    el('table', { id: 'history' }, [...(g.history || [])].reverse().map((h) => el('tr', {},
      el('td', {}, when(h.time)), el('td', {}, h.kind), el('td', {}, h.service || ''),
      el('td', {}, [h.from, h.to].filter(Boolean).join(' → ')), el('td', {}, short(h.revision)), el('td', {}, h.cause || '')))),
  ].filter(Boolean));
}

function draw() {
  const snapshot = state.snapshot;
  if (!snapshot) return;
  const visible = visibleGateways(snapshot.gateways);
  renderGlance(snapshot);
  renderFleet(snapshot.fleet);
  renderCustomerOptions(snapshot.gateways);
  for (const name of ['customers', 'services']) {
    document.getElementById(`view-${name}`)?.setAttribute('aria-pressed', String(state.view === name));
  }
  renderRollouts(snapshot.rollouts);
  document.getElementById('customers').hidden = state.view !== 'customers';
  document.getElementById('services').hidden = state.view !== 'services';
  if (state.view === 'customers') renderCustomers(visible);
  else renderServices(visible, snapshot.rollouts);
  renderDetail(snapshot.gateways);
  document.getElementById('shown').textContent = `${visible.length} of ${snapshot.gateways.length} gateways shown`;
}

// A session that ended (expired, signed out elsewhere) goes back to the sign-in page, then here.
function signInAgain() {
  window.location.assign(`auth/login?next=${encodeURIComponent(`/${window.location.hash}`)}`);
}

// Who is signed in, and whose gateways they see.
async function showWho() {
  const response = await fetch('auth/whoami', { headers: { accept: 'application/json' } });
  if (response.status === 401) return signInAgain();
  if (!response.ok) return;
  const who = await response.json();
  document.getElementById('who-login').textContent = `${who.login} · ${who.role === 'operator' ? 'operator: every customer' : `approver: ${who.customers.join(', ')}`}`;
}

async function refresh() {
  try {
    const response = await fetch('status?view=list', { headers: { accept: 'application/json' } });
    if (response.status === 401) return signInAgain();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    state.snapshot = await response.json();
    await loadDetail();
    indexSearch(state.snapshot.gateways);
    document.getElementById('footer').textContent = `updated ${new Date().toLocaleTimeString()}`;
    draw();
  } catch (error) {
    document.getElementById('footer').textContent = `status unavailable: ${error.message}`;
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

state.selected = decodeURIComponent(window.location.hash.slice(1)) || undefined;
renderControls();
void showWho();
refresh();

/** Leader or standby; sharded: which shards this replica applies. */
function replicaStanding(replica) {
  if (!replica.shards) return replica.leading ? '(leader)' : '(standby)';
  const { held, count, replicas } = replica.shards;
  return `(${held.length ? `shards ${held.join(', ')}` : 'no shard'} of ${count}, ${replicas} replicas)`;
}
