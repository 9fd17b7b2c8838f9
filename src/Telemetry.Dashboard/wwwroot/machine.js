// Machine page (#/machine/<encoded machine key>): header (state as colour AND icon/text, time in state, last seen,
// source link), a live uPlot chart per numeric tag, a range selector that reads the ingest's history API
//   GET /api/history?machine=<key>&tag=<t>&from=<ms>&to=<ms>&points=N -> { series: [{ machine, tag, points: [[ms, v], ...] }] }
// (the edge answers { available: false }: "history needs the datacenter"), a state timeline from the state changes
// seen, alerts (active and recent) from
//   GET /api/alerts?state=all -> { alerts: [{ id, machine, severity, message, since, ended, active, acknowledgedBy, acknowledgedAt }], note? }
//   POST /api/alerts/<id>/ack -> the alert, acknowledged (by the signed-in user / token)
// today's availability, MTBF and MTTR (computed by the server, Telemetry.Dashboard/Availability) from
//   GET /api/availability?machine=<key> -> { plannedMs, runningMs, faultMs, faults, availability, mtbfMs, mttrMs, observedFrom }
// the sources' link status (GET /api/sources, the edge) and the current value of every tag. Uses globals of app.js
// (machines, el, ...), which is loaded after this file; the functions here run only once app.js has loaded.
'use strict';

const LIVE_WINDOW_MS = 10 * 60 * 1000;   // live charts keep the last 10 minutes...
const LIVE_MAX_POINTS = 2400;            // ...and never more than this many points per tag
const TRACKED_MACHINES = 5;              // live series kept for the machines viewed last (not for the whole plant)
const STATE_CHANGES_KEPT = 200;
const RANGES = [
  { id: 'live', label: 'Live (10 min)', ms: LIVE_WINDOW_MS },
  { id: '1h', label: '1 h', ms: 3600e3 },
  { id: '8h', label: 'Shift 8 h', ms: 8 * 3600e3 },
  { id: '24h', label: '24 h', ms: 24 * 3600e3 },
  { id: '7d', label: '7 d', ms: 7 * 24 * 3600e3 },
];
const NOT_CHARTED = new Set(['state', 'alarm_code']);

const liveSeries = new Map();    // machine key -> Map(tag -> { t: seconds[], v: number[], version })
const stateChanges = new Map();  // machine key -> [{ state, from: ms }] (every machine: a few entries each)
const view = { key: null, range: 'live', timer: null, slowTimer: null, charts: new Map(), resize: null, historyFor: null };

// Called by app.js for every state seen (snapshot and live): the timeline's source.
function noteState(key, state, since) {
  if (!state) return;
  let list = stateChanges.get(key);
  if (!list) { list = []; stateChanges.set(key, list); }
  const last = list[list.length - 1];
  if (last && last.state === state) return;
  if (last && since < last.from) since = last.from;
  list.push({ state, from: since });
  if (list.length > STATE_CHANGES_KEPT) list.splice(0, list.length - STATE_CHANGES_KEPT);
}

// Called by app.js for every live sample; keeps bounded series for the tracked machines only.
function noteSample(s) {
  const tags = liveSeries.get(s.m);
  if (!tags || typeof s.v !== 'number' || NOT_CHARTED.has(s.t)) return;
  let series = tags.get(s.t);
  if (!series) { series = { t: [], v: [], version: 0 }; tags.set(s.t, series); }
  const t = s.ts / 1000;
  if (series.t.length && t < series.t[series.t.length - 1]) return;   // out of order: uPlot needs ascending x
  series.t.push(t);
  series.v.push(s.v);
  series.version++;
  const cutoff = (s.ts - LIVE_WINDOW_MS) / 1000;
  let drop = Math.max(0, series.t.length - LIVE_MAX_POINTS);
  while (drop < series.t.length && series.t[drop] < cutoff) drop++;
  if (drop > 0) { series.t.splice(0, drop); series.v.splice(0, drop); }
}

function trackMachine(key) {
  if (liveSeries.has(key)) { const tags = liveSeries.get(key); liveSeries.delete(key); liveSeries.set(key, tags); return; }
  liveSeries.set(key, new Map());
  while (liveSeries.size > TRACKED_MACHINES) liveSeries.delete(liveSeries.keys().next().value);
  const entry = machines.get(key);   // seed with the current values so a chart shows something at once
  if (entry) for (const [tag, v] of entry.tags) noteSample({ m: key, t: tag, v: v.value, ts: v.time });
}

function machineHash(key) { return '#/machine/' + encodeURIComponent(key); }

function showMachine(key) {
  const section = document.getElementById('machine');
  section.hidden = false;
  if (view.key !== key) {
    hideCharts();
    view.key = key;
    view.range = 'live';
    view.historyFor = null;
    trackMachine(key);
    buildRanges();
    document.getElementById('m-history-note').hidden = true;
  }
  clearInterval(view.timer);
  clearInterval(view.slowTimer);
  view.timer = setInterval(renderMachine, 500);
  view.slowTimer = setInterval(refreshSlow, 5000);
  renderMachine();
  refreshSlow();
}

function hideMachine() {
  document.getElementById('machine').hidden = true;
  clearInterval(view.timer);
  clearInterval(view.slowTimer);
  view.timer = view.slowTimer = null;
}

function hideCharts() {
  for (const c of view.charts.values()) c.plot.destroy();
  view.charts.clear();
  document.getElementById('m-charts').replaceChildren();
}

function buildRanges() {
  const box = document.getElementById('m-ranges');
  box.replaceChildren(...RANGES.map(r => {
    const b = el('button', 'range', r.label);
    b.type = 'button';
    b.dataset.range = r.id;
    b.setAttribute('aria-pressed', String(r.id === view.range));
    b.addEventListener('click', () => selectRange(r.id));
    return b;
  }));
}

function setPressed(id) {
  for (const b of document.querySelectorAll('#m-ranges button')) b.setAttribute('aria-pressed', String(b.dataset.range === id));
}

async function selectRange(id) {
  const note = document.getElementById('m-history-note');
  view.range = id;
  setPressed(id);
  note.hidden = true;
  if (id === 'live') { view.historyFor = null; for (const c of view.charts.values()) c.version = -1; renderMachine(); return; }
  const key = view.key;
  const range = RANGES.find(r => r.id === id);
  const to = nowMs();
  const from = to - range.ms;
  try {
    const answers = await Promise.all([...view.charts.keys()].map(async tag => {
      const url = `/api/history?machine=${encodeURIComponent(key)}&tag=${encodeURIComponent(tag)}&from=${Math.round(from)}&to=${Math.round(to)}&points=600`;
      const res = await fetch(url, { cache: 'no-store' });
      if (res.status === 404) return { tag, missing: true };
      if (!res.ok) throw new Error(`history answered HTTP ${res.status} for ${tag}`);
      const body = await res.json();
      return body.available === false ? { tag, missing: true } : { tag, body };
    }));
    if (view.key !== key || view.range !== id) return;
    if (answers.some(a => a.missing)) {
      note.textContent = 'History needs the datacenter: this edge agent keeps the last 10 minutes, shown live.';
      note.hidden = false;
      view.range = 'live';
      setPressed('live');
      return;
    }
    view.historyFor = id;
    for (const a of answers) {
      const chart = view.charts.get(a.tag);
      const points = (a.body.series && a.body.series[0] && a.body.series[0].points) || [];
      chart.plot.setData([points.map(p => p[0] / 1000), points.map(p => p[1])]);
      chart.fig.dataset.source = 'history';
      chart.fig.dataset.points = String(points.length);
    }
  } catch (err) {
    if (view.key !== key) return;
    note.textContent = `History could not be loaded: ${err.message}. Showing live data.`;
    note.hidden = false;
    view.range = 'live';
    setPressed('live');
  }
}

function renderMachine() {
  const key = view.key;
  const entry = machines.get(key);
  const name = document.getElementById('m-name');
  if (!entry) {
    setText(name, key);
    setText(document.getElementById('m-state'), loaded ? 'unknown machine' : 'loading…');
    return;
  }
  const info = entry.info;
  const stale = nowMs() - (info.lastSeen || 0) > staleAfterMs;
  const state = info.state || 'off';
  const head = document.getElementById('m-head');
  const cls = `mhead ${state}${stale ? ' stale' : ''}`;
  if (head.className !== cls) head.className = cls;
  head.dataset.state = stale ? 'stale' : state;
  setText(name, info.machine);
  setText(document.getElementById('m-path'), [info.site, info.area, info.line].filter(Boolean).join(' / '));
  setText(document.getElementById('m-state'), `${STATE_ICON[state] || '•'} ${state}${stale ? ' (stale)' : ''}`);
  setText(document.getElementById('m-since'), fmtDuration(nowMs() - info.stateSince));
  setText(document.getElementById('m-seen'), info.lastSeen ? `${new Date(info.lastSeen).toLocaleTimeString()} (${fmtDuration(nowMs() - info.lastSeen)} ago)` : 'never');
  const alarm = document.getElementById('m-alarm');
  alarm.hidden = !info.alarmCode;
  setText(alarm, info.alarmCode ? `⚠ Alarm ${info.alarmCode}` : '');
  document.title = `${info.machine} — Telemetry`;
  renderCharts(entry);
  renderTimeline(key);
  renderValues(entry);
}

function renderCharts(entry) {
  const container = document.getElementById('m-charts');
  const tags = liveSeries.get(view.key);
  for (const [tag, v] of entry.tags) {
    if (typeof v.value !== 'number' || NOT_CHARTED.has(tag) || view.charts.has(tag)) continue;
    const fig = el('figure', 'chart');
    fig.dataset.tag = tag;
    const cap = el('figcaption');
    cap.append(el('span', 'label', humanize(tag)), el('span', 'cur'));
    const plotBox = el('div', 'plot');
    fig.append(cap, plotBox);
    const keys = [...view.charts.keys(), tag].sort();
    const before = view.charts.get(keys[keys.indexOf(tag) + 1]);
    container.insertBefore(fig, before ? before.fig : null);
    const plot = new uPlot(chartOptions(tag, Math.max(200, plotBox.clientWidth)), [[], []], plotBox);
    view.charts.set(tag, { fig, plot, plotBox, version: -1 });
    if (!view.resize) {
      view.resize = new ResizeObserver(() => { for (const c of view.charts.values()) c.plot.setSize({ width: Math.max(200, c.plotBox.clientWidth), height: 170 }); });
    }
    view.resize.observe(plotBox);
  }
  for (const [tag, chart] of view.charts) {
    const current = entry.tags.get(tag);
    if (current) setText(chart.fig.querySelector('.cur'), fmtValue(current.value));
    const series = tags && tags.get(tag);
    if (view.range !== 'live' || !series || series.version === chart.version) continue;
    chart.version = series.version;
    chart.plot.setData([series.t, series.v]);
    chart.fig.dataset.source = 'live';
    chart.fig.dataset.points = String(series.t.length);
    chart.fig.dataset.lastTs = series.t.length ? String(Math.round(series.t[series.t.length - 1] * 1000)) : '';
  }
}

function chartOptions(tag, width) {
  const axis = { stroke: '#93a1b0', grid: { stroke: '#2b3540', width: 1 }, ticks: { stroke: '#2b3540', width: 1 }, font: '12px system-ui, sans-serif' };
  return {
    width, height: 170,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true } },
    axes: [{ ...axis, values: timeLabels, space: 90 }, { ...axis, size: 60 }],
    series: [{}, { label: humanize(tag), stroke: '#5fb3ff', width: 2, fill: 'rgba(95,179,255,0.12)', points: { show: false } }],
  };
}

// One line per x tick (uPlot's default adds a second date line that overlaps on narrow charts): the time of day,
// with the date when the chart spans more than a day.
function timeLabels(u, splits) {
  const long = u.scales.x.max - u.scales.x.min > 86400;
  const seconds = u.scales.x.max - u.scales.x.min < 1800;
  const format = long ? { month: 'short', day: 'numeric', hour: '2-digit', hourCycle: 'h23' }
    : { hour: '2-digit', minute: '2-digit', second: seconds ? '2-digit' : undefined, hourCycle: 'h23' };
  return splits.map(t => new Date(t * 1000).toLocaleString([], format));
}

function renderTimeline(key) {
  const bar = document.getElementById('m-timeline');
  const list = document.getElementById('m-changes');
  const changes = stateChanges.get(key) || [];
  const end = nowMs();
  const start = end - LIVE_WINDOW_MS;
  const parts = [];
  for (let i = 0; i < changes.length; i++) {
    const from = Math.max(start, changes[i].from);
    const to = i + 1 < changes.length ? changes[i + 1].from : end;
    if (to <= start) continue;
    const seg = el('div', `seg ${changes[i].state}`);
    seg.style.width = `${(100 * (to - from) / LIVE_WINDOW_MS).toFixed(2)}%`;
    seg.style.marginLeft = parts.length ? '0' : `${(100 * (from - start) / LIVE_WINDOW_MS).toFixed(2)}%`;
    seg.dataset.state = changes[i].state;
    seg.title = `${changes[i].state} from ${new Date(changes[i].from).toLocaleTimeString()}`;
    if (to - from > LIVE_WINDOW_MS / 12) seg.textContent = `${STATE_ICON[changes[i].state] || ''} ${changes[i].state}`;
    parts.push(seg);
  }
  bar.replaceChildren(...parts);
  const recent = changes.slice(-6).reverse();
  if (list.childElementCount !== recent.length || list.dataset.last !== String(recent[0] && recent[0].from)) {
    list.dataset.last = String(recent[0] && recent[0].from);
    list.replaceChildren(...recent.map(c => el('li', null, `${new Date(c.from).toLocaleTimeString()} — ${STATE_ICON[c.state] || '•'} ${c.state}`)));
  }
}

function renderValues(entry) {
  const body = document.getElementById('m-values');
  for (const [tag, v] of [...entry.tags].sort((a, b) => a[0].localeCompare(b[0]))) {
    let row = body.querySelector(`tr[data-tag="${CSS.escape(tag)}"]`);
    if (!row) {
      row = el('tr');
      row.dataset.tag = tag;
      row.append(el('th', null, humanize(tag)), el('td', 'v'), el('td', 'q'), el('td', 't'));
      body.append(row);
    }
    setText(row.querySelector('.v'), fmtValue(v.value));
    setText(row.querySelector('.q'), v.quality);
    setText(row.querySelector('.t'), new Date(v.time).toLocaleTimeString());
  }
}

// Alerts, today's figures and source link: polled every 5 s while the page is shown; an API the server lacks hides its part.
async function refreshSlow() {
  const key = view.key;
  ensureMachineSections();
  await Promise.all([refreshAlerts(key).catch(() => {}), refreshToday(key).catch(() => {}), refreshLink().catch(() => {})]);
}

// The "Today" figures and the alerts' note are built here (not in index.html) so this file owns them.
function ensureMachineSections() {
  if (document.getElementById('m-today')) return;
  const alerts = document.getElementById('m-alerts');
  alerts.setAttribute('aria-label', 'Alerts');
  alerts.querySelector('h3').textContent = 'Alerts';
  const note = el('p', 'note');
  note.id = 'm-alerts-note';
  note.hidden = true;
  note.setAttribute('role', 'status');
  alerts.querySelector('h3').after(note);
  const today = el('section', 'today');
  today.id = 'm-today';
  today.setAttribute('aria-label', 'Today');
  const h = el('h3', null, 'Today ');
  h.append(el('span', 'sub', 'since midnight, from the state changes seen'));
  const dl = el('dl', 'facts');
  dl.id = 'm-today-facts';
  for (const [id, label, hint] of [['availability', 'Availability', 'running / planned time'], ['mtbf', 'MTBF', 'running time / faults'],
    ['mttr', 'MTTR', 'fault time / faults'], ['faults', 'Faults', 'fault events today']]) {
    const d = el('div');
    d.dataset.fact = id;
    d.title = hint;
    d.append(el('dt', null, label), el('dd', null, '…'), el('span', 'hint', hint));
    dl.append(d);
  }
  today.append(h, dl);
  alerts.before(today);
}

const SEVERITY_ICON = { critical: '⛔', warning: '⚠', info: 'ℹ' };
const RECENT_ALERTS = 10;

async function refreshAlerts(key) {
  const box = document.getElementById('m-alerts');
  const res = await fetch('/api/alerts?state=all', { cache: 'no-store' });
  if (!res.ok) { box.hidden = true; return; }
  const body = await res.json();
  if (view.key !== key) return;
  const mine = (body.alerts || []).filter(a => a.machine === key);
  const shown = [...mine.filter(a => a.active), ...mine.filter(a => !a.active).slice(0, RECENT_ALERTS)];
  box.hidden = false;
  const note = document.getElementById('m-alerts-note');
  note.hidden = !body.note;
  setText(note, body.note || '');
  renderAlerts(box.querySelector('ul'), shown);
}

function renderAlerts(list, alerts) {
  // Rebuilt only when something changed, so a focused Acknowledge button keeps its focus between polls.
  const signature = JSON.stringify(alerts.map(a => [a.id, a.active, a.acknowledgedBy, a.acknowledgedAt, a.message]));
  if (list.dataset.signature === signature) return;
  list.dataset.signature = signature;
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.ack : undefined;
  list.replaceChildren(...(alerts.length ? alerts.map(alertItem) : [el('li', 'none', 'No alerts')]));
  if (focused) { const again = list.querySelector(`button[data-ack="${CSS.escape(focused)}"]`) || list.querySelector(`[data-alert="${CSS.escape(focused)}"] .acked`); if (again) again.focus(); }
}

function alertItem(a) {
  const li = el('li', `alert ${a.severity}${a.active ? ' active' : ' ended'}`);
  li.dataset.alert = String(a.id);
  li.dataset.active = String(a.active);
  const when = a.active ? `since ${fmtTime(a.since)}` : `${fmtTime(a.since)} – ${fmtTime(a.ended)} (${fmtDuration(a.ended - a.since)})`;
  const head = el('div', 'what');
  head.append(el('strong', null, `${SEVERITY_ICON[a.severity] || '⚠'} ${a.active ? 'ACTIVE' : 'ended'} · ${a.severity}`), el('span', null, ` ${a.message}`));
  li.append(head, el('div', 'when', when));
  if (a.acknowledgedBy) {
    const acked = el('div', 'acked', `✔ Acknowledged by ${a.acknowledgedBy}${a.acknowledgedAt ? ' at ' + fmtTime(a.acknowledgedAt) : ''}`);
    acked.tabIndex = -1;
    li.append(acked);
  } else {
    const button = el('button', 'ack', 'Acknowledge');
    button.type = 'button';
    button.dataset.ack = String(a.id);
    button.setAttribute('aria-label', `Acknowledge alert: ${a.message}`);
    button.addEventListener('click', () => acknowledge(a.id, button));
    li.append(button);
  }
  return li;
}

async function acknowledge(id, button) {
  const note = document.getElementById('m-alerts-note');
  if (button.getAttribute('aria-busy') === 'true') return;   // not disabled: a disabled button would drop the focus
  button.setAttribute('aria-busy', 'true');
  button.textContent = 'Acknowledging…';
  try {
    const res = await fetch(`/api/alerts/${encodeURIComponent(id)}/ack`, { method: 'POST', cache: 'no-store' });
    if (!res.ok) {
      let message = `HTTP ${res.status}`;
      try { message = (await res.json()).message || message; } catch { /* not JSON */ }
      throw new Error(message);
    }
  } catch (err) {
    note.textContent = `Could not acknowledge: ${err.message}`;
    note.hidden = false;
    button.removeAttribute('aria-busy');
    button.textContent = 'Acknowledge';
    return;
  }
  await refreshAlerts(view.key).catch(() => {});
  // Keyboard users stay where they were: on the alert's "acknowledged by" line that replaced the button.
  const acked = document.querySelector(`#m-alerts li[data-alert="${CSS.escape(String(id))}"] .acked`);
  if (acked) acked.focus();
}

function fmtTime(ms) { return ms ? new Date(ms).toLocaleTimeString() : '—'; }

async function refreshToday(key) {
  const box = document.getElementById('m-today');
  const res = await fetch(`/api/availability?machine=${encodeURIComponent(key)}`, { cache: 'no-store' });
  if (!res.ok) { box.hidden = true; return; }
  const f = await res.json();
  if (view.key !== key) return;
  box.hidden = false;
  const set = (id, text, value) => {
    const d = box.querySelector(`[data-fact="${id}"]`);
    setText(d.querySelector('dd'), text);
    d.dataset.value = value === null || value === undefined ? '' : String(value);
  };
  set('availability', f.availability === null ? '—' : `${(f.availability * 100).toFixed(1)} %`, f.availability);
  set('mtbf', f.mtbfMs === null ? '— (no fault)' : fmtDuration(f.mtbfMs), f.mtbfMs);
  set('mttr', f.mttrMs === null ? '— (no fault)' : fmtDuration(f.mttrMs), f.mttrMs);
  set('faults', String(f.faults), f.faults);
  box.dataset.observedFrom = String(f.observedFrom);
  box.title = `Planned ${fmtDuration(f.plannedMs)}, running ${fmtDuration(f.runningMs)}, fault ${fmtDuration(f.faultMs)}; known since ${fmtTime(f.observedFrom)}`;
}

const LINK_ICON = { connected: '●', starting: '◌', reconnecting: '↻', disconnected: '✖', faulted: '✖' };

async function refreshLink() {
  const link = document.getElementById('m-link');
  const res = await fetch('/api/sources', { cache: 'no-store' });
  if (!res.ok) { link.parentElement.hidden = true; return; }
  const sources = await res.json();
  link.parentElement.hidden = !sources.length;
  link.dataset.states = sources.map(s => s.state).join(',');
  setText(link, sources.map(s => {
    const age = s.lastSample ? `last sample ${fmtDuration(nowMs() - s.lastSample)} ago` : 'no sample yet';
    return `${LINK_ICON[s.state] || '•'} ${s.name} (${KIND_LABEL[s.kind] || s.kind}): ${s.state}, ${age}${s.lastError ? ' — ' + s.lastError : ''}`;
  }).join(' · '));
}

const KIND_LABEL = { opcua: 'OPC UA', mqtt: 'MQTT', 'mqtt-broker': 'MQTT broker', simulator: 'simulator' };
