/* global document, fetch, window, setTimeout */
// The fleet dashboard: one screen for the whole fleet, drill-down to a gateway and its
// services. Reads /status every few seconds; builds the page with DOM calls and text nodes
// only (no HTML parsing), since messages and names come from the fleet repo and the cluster.
'use strict';

const PHASES = ['Ready', 'Progressing', 'Degraded', 'Offline', 'AwaitingApproval', 'OutsideWindow', 'RolledBack', 'Failed'];
const REFRESH_MS = 5000;
const LOG_TAIL = 200;
const state = { phase: undefined, selected: undefined, snapshot: undefined, logs: undefined };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return node;
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
    fleet.badCommit ? el('span', { class: 'bad' }, `commit ${short(fleet.badCommit.revision)} is invalid (${fleet.badCommit.problems.length} problems)`) : undefined,
    fleet.resourceMetrics && !fleet.resourceMetrics.available ? el('span', { class: 'bad' }, fleet.resourceMetrics.message || 'no CPU or memory figures') : undefined,
    fleet.replica ? el('span', {}, `${fleet.replica.identity} ${fleet.replica.leading ? '(leader)' : '(standby)'}`) : undefined,
  ];
  document.getElementById('fleet').replaceChildren(...items.filter(Boolean));
  const buttons = PHASES.map((phase) =>
    el('button', {
      class: `${phase}${state.phase === phase ? ' active' : ''}`,
      title: `show only ${phase}`,
      onclick: () => { state.phase = state.phase === phase ? undefined : phase; draw(); },
    }, `${phase} ${fleet.phases[phase] || 0}`));
  document.getElementById('phases').replaceChildren(...buttons);
}

function renderRollouts(rollouts) {
  const section = document.getElementById('rollouts');
  if (!rollouts || rollouts.length === 0) { section.hidden = true; return; }
  section.hidden = false;
  const select = (gateway) => () => { state.selected = gateway; window.location.hash = encodeURIComponent(gateway); draw(); };
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
    if (state.phase && g.phase !== state.phase) continue;
    if (!byCustomer.has(g.customer)) byCustomer.set(g.customer, []);
    byCustomer.get(g.customer).push(g);
  }
  const sections = [...byCustomer.entries()].map(([customer, list]) =>
    el('div', { class: 'customer' },
      el('h2', {}, `${customer} (${list.length})`),
      el('div', { class: 'tiles' }, list.map((g) =>
        el('button', {
          class: `tile ${g.phase}${state.selected === g.gateway ? ' selected' : ''}`,
          title: `${g.gateway}: ${g.phase} — ${g.message}${g.rollout ? ` (rollout ${short(g.rollout.id)}: ${g.rollout.state})` : ''}`,
          onclick: () => { state.selected = g.gateway; window.location.hash = encodeURIComponent(g.gateway); draw(); },
        }, g.gateway)))));
  document.getElementById('customers').replaceChildren(...(sections.length ? sections : [el('p', {}, 'no gateways')]));
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
    state.logs = { gateway, service, text: shown || '(no lines)', failed: !response.ok };
  } catch (error) {
    state.logs = { gateway, service, text: `logs unavailable: ${error.message}`, failed: true };
  }
  draw();
}

function renderLogs(g) {
  const logs = state.logs;
  if (!logs || logs.gateway !== g.gateway) return [];
  return [
    el('h3', {}, `logs of ${logs.service} (last ${LOG_TAIL} lines) `,
      el('button', { 'aria-label': `reload the logs of ${logs.service}`, onclick: () => showLogs(logs.gateway, logs.service) }, 'reload'),
      el('button', { 'aria-label': 'close the logs', onclick: () => { state.logs = undefined; draw(); } }, 'close')),
    el('pre', { id: 'logs', class: logs.failed ? 'logs bad' : 'logs', 'aria-live': 'polite' }, logs.text),
  ];
}

function renderDetail(gateways) {
  const panel = document.getElementById('detail');
  const g = gateways.find((x) => x.gateway === state.selected);
  if (!g) { panel.hidden = true; return; }
  panel.hidden = false;
  const node = g.node || {};
  const pressure = node.pressure ? Object.entries(node.pressure).filter(([, on]) => on).map(([k]) => k).join(', ') || 'none' : '—';
  const approval = g.approval
    ? [el('h3', {}, 'approval'), el('p', {}, g.approval.summary)]
    : [];
  // A part that does not apply is left out, not drawn as the text "undefined".
  panel.replaceChildren(...[
    el('button', { onclick: () => { state.selected = undefined; window.location.hash = ''; draw(); } }, 'close'),
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
    ...renderLogs(g),
    ...approval,
    el('h3', {}, 'history'),
    el('table', {}, [...g.history].reverse().map((h) => el('tr', {},
      el('td', {}, when(h.time)), el('td', {}, h.kind), el('td', {}, h.service || ''),
      el('td', {}, [h.from, h.to].filter(Boolean).join(' → ')), el('td', {}, short(h.revision)), el('td', {}, h.cause || '')))),
  ].filter(Boolean));
}

function draw() {
  if (!state.snapshot) return;
  renderFleet(state.snapshot.fleet);
  renderRollouts(state.snapshot.rollouts);
  renderCustomers(state.snapshot.gateways);
  renderDetail(state.snapshot.gateways);
}

async function refresh() {
  try {
    const response = await fetch('status', { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    state.snapshot = await response.json();
    document.getElementById('footer').textContent = `updated ${new Date().toLocaleTimeString()}`;
    draw();
  } catch (error) {
    document.getElementById('footer').textContent = `status unavailable: ${error.message}`;
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

state.selected = decodeURIComponent(window.location.hash.slice(1)) || undefined;
refresh();
