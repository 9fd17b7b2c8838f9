// API shape this page reads (served by the edge agent for its own site, later by telemetry-ingest for all machines):
//   GET /api/machines -> { now: ms, staleAfterMs, machines: [{ key: "site/area/line/machine", site, area, line, machine,
//                          state: "running"|"idle"|"setup"|"fault"|"off"|null, stateSince: ms, alarmCode, lastSeen: ms,
//                          tags: [{ tag, value, quality: "good"|..., time: ms, received: ms, staleSince: ms|null }] }] }
//   GET /api/live (SSE)  -> event "samples": [{ m: machine key, t: tag, v: value, q: quality, ts: source ms, rt: receive ms }],
//                           event "dropped": count of updates skipped for a slow browser
//   GET /api/edge        -> edge status (sources, spool backlog, datacenter link); history ranges need the ingest's
//                           history API (not served by the edge yet).
// Live plant overview: a snapshot from /api/machines, then every sample from /api/live (server-sent events).
'use strict';

const STATE_ICON = { running: '▶', idle: '⏸', setup: '🔧', fault: '⚠', off: '⏻' };
const machines = new Map();   // key -> { info, tags: Map(tag -> {value, quality, time}) }
let staleAfterMs = 10000;
let clockSkewMs = 0;          // server now - browser now
let loaded = false;           // the first snapshot arrived
const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };

function nowMs() { return Date.now() + clockSkewMs; }

// An operator's site picker (session.js) reloads with ?site=NAME; the ingest limits a site's user to its site anyway.
const siteParam = new URLSearchParams(location.search).get('site');
const siteQuery = siteParam ? `?site=${encodeURIComponent(siteParam)}` : '';

const intFormat = new Intl.NumberFormat('en');   // one formatter: toLocaleString per value costs ~100x more under load

function fmtValue(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? intFormat.format(v) : v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return String(v);
}

function fmtDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${m % 60}m`;
}

function humanize(tag) { return tag.replace(/_/g, ' '); }

function upsertMachine(m) {
  let entry = machines.get(m.key);
  if (!entry) { entry = { info: m, tags: new Map() }; machines.set(m.key, entry); }
  entry.info = m;
  for (const t of m.tags) entry.tags.set(t.tag, { value: t.value, quality: t.quality, time: t.time });
  entry.version = (entry.version || 0) + 1;
  noteState(m.key, m.state, m.stateSince);
}

function applySample(s) {
  let entry = machines.get(s.m);
  if (!entry) {
    const [site, area, line, machine] = s.m.split('/');
    entry = { info: { key: s.m, site, area, line, machine, state: null, stateSince: s.ts, alarmCode: 0, lastSeen: s.rt }, tags: new Map() };
    machines.set(s.m, entry);
  }
  const tag = entry.tags.get(s.t);   // updated in place: 4,000 samples/s allocate nothing per sample here
  if (tag) { tag.value = s.v; tag.quality = s.q; tag.time = s.ts; } else entry.tags.set(s.t, { value: s.v, quality: s.q, time: s.ts });
  entry.version = (entry.version || 0) + 1;
  noteSample(s);
  entry.info.lastSeen = Math.max(entry.info.lastSeen || 0, s.rt);
  if (s.t === 'state' && typeof s.v === 'string' && s.v !== entry.info.state) { entry.info.state = s.v; entry.info.stateSince = s.ts; noteState(s.m, s.v, s.ts); }
  if (s.t === 'alarm_code' && typeof s.v === 'number') entry.info.alarmCode = s.v;
}

const groupsEl = new Map();  // group name -> tiles container
const tilesEl = new Map();   // machine key -> tile element (kept, updated in place: focus and selection survive)

function groupOf(info) { return [info.area, info.line].filter(Boolean).join(' / ') || info.site; }

function groupContainer(name) {
  let tiles = groupsEl.get(name);
  if (tiles) return tiles;
  const plant = document.getElementById('plant');
  const section = el('section', 'group');
  section.setAttribute('aria-label', name);
  section.append(el('h2', null, name));
  tiles = el('div', 'tiles');
  section.append(tiles);
  const after = [...groupsEl.keys()].filter(k => k.localeCompare(name) > 0).sort()[0];
  if (after) plant.insertBefore(section, groupsEl.get(after).parentElement); else plant.append(section);
  groupsEl.set(name, tiles);
  return tiles;
}

function render() {
  const empty = document.getElementById('empty');
  if (empty && machines.size) empty.remove();
  if (tilesEl.size !== machines.size) {   // new machines: create their tiles in key order (sorting only then)
    for (const entry of [...machines.values()].sort((a, b) => a.info.key.localeCompare(b.info.key))) {
      if (tilesEl.has(entry.info.key)) continue;
      const tile = createTile(entry.info);
      tilesEl.set(entry.info.key, tile);
      groupContainer(groupOf(entry.info)).append(tile);
    }
  }
  for (const entry of machines.values()) updateTile(tilesEl.get(entry.info.key), entry);
  document.getElementById('summary').textContent = `${machines.size} machines · updated ${new Date().toLocaleTimeString()}`;
}

function createTile(info) {
  const tile = el('article', 'tile');
  tile.tabIndex = 0;
  tile.dataset.machine = info.machine;
  // The whole tile opens the machine page (click, Enter or Space); the name is also a plain link.
  const name = el('h3', 'name');
  const link = el('a', null, info.machine);
  link.href = machineHash(info.key);
  link.tabIndex = -1;
  name.append(link);
  tile.addEventListener('click', ev => { if (ev.target !== link) location.hash = machineHash(info.key); });
  tile.addEventListener('keydown', ev => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); location.hash = machineHash(info.key); } });
  tile.append(name, el('span', 'state'), el('span', 'since'),
    el('div', 'alarm'), el('div', 'seen'), el('dl'));
  // Its parts, found once (a render tick updates every tile: no querySelector per tile and tick).
  tile.parts = { state: tile.querySelector('.state'), since: tile.querySelector('.since'), alarm: tile.querySelector('.alarm'),
    seen: tile.querySelector('.seen'), dl: tile.querySelector('dl'), dds: new Map(), version: -1, label: '' };
  return tile;
}

function setText(node, text) { if (node.textContent !== text) node.textContent = text; }

function updateTile(tile, e) {
  const info = e.info;
  const stale = nowMs() - (info.lastSeen || 0) > staleAfterMs;
  const state = info.state || 'off';
  const cls = `tile ${state}${stale ? ' stale' : ''}`;
  const p = tile.parts;
  if (tile.className !== cls) tile.className = cls;
  const shownState = stale ? 'stale' : state;
  if (tile.dataset.state !== shownState) tile.dataset.state = shownState;
  setText(p.state, `${STATE_ICON[state] || '•'} ${state}`);
  setText(p.since, `for ${fmtDuration(nowMs() - info.stateSince)}`);
  if (p.alarm.hidden !== !info.alarmCode) p.alarm.hidden = !info.alarmCode;
  setText(p.alarm, info.alarmCode ? `⚠ Alarm ${info.alarmCode}` : '');
  if (p.seen.hidden !== !stale) p.seen.hidden = !stale;
  setText(p.seen, stale ? `Stale — last seen ${new Date(info.lastSeen).toLocaleTimeString()}` : '');
  if (p.version !== e.version) {   // values: only when a sample arrived since the last tick
    p.version = e.version;
    let shown = 0;
    for (const [tag, v] of e.tags) {
      if (tag === 'state' || tag === 'alarm_code') continue;
      if (shown++ >= 4) break;
      let dd = p.dds.get(tag);
      if (!dd) {
        p.dl.append(el('dt', null, humanize(tag)));
        dd = el('dd');
        dd.dataset.tag = tag;
        p.dl.append(dd);
        p.dds.set(tag, dd);
      }
      setText(dd, fmtValue(v.value) + (v.quality !== 'good' ? ` (${v.quality})` : ''));
    }
  }
  const label = `${info.machine}: ${shownState}${info.alarmCode ? ', alarm ' + info.alarmCode : ''}. Enter opens its page.`;
  if (p.label !== label) { p.label = label; tile.setAttribute('aria-label', label); }
}

async function loadSnapshot() {
  const res = await fetch('/api/machines' + siteQuery, { cache: 'no-store' });
  if (res.status === 401) { location.replace('/login'); return; }   // the ingest: not signed in, or the session ended
  const snap = await res.json();
  clockSkewMs = snap.now - Date.now();
  staleAfterMs = snap.staleAfterMs || staleAfterMs;
  for (const m of snap.machines) upsertMachine(m);
  loaded = true;
  render();
}

function connectLive() {
  const link = document.getElementById('link');
  const source = new EventSource('/api/live' + siteQuery);
  let dirty = false;
  source.onopen = () => { link.textContent = 'live'; link.className = 'status ok'; };
  source.onerror = () => { link.textContent = 'reconnecting…'; link.className = 'status down'; };
  source.addEventListener('samples', ev => { for (const s of JSON.parse(ev.data)) applySample(s); dirty = true; });
  source.addEventListener('dropped', ev => { link.textContent = `live (skipped ${ev.data} updates)`; });
  // Render at most a few times a second, whatever the sample rate; re-render anyway to age "stale" and "for".
  setInterval(() => { dirty = false; render(); }, 250);
}

// Edge status view (#/edge): /api/edge polled every 2 s while shown; samples/s from the change of samplesWritten.
let edgeTimer = null;
let lastEdge = null;

function fact(dl, label, value) {
  const d = el('div'); d.append(el('dt', null, label), el('dd', null, value)); d.dataset.fact = label; dl.append(d);
}

async function refreshEdge() {
  const res = await fetch('/api/edge', { cache: 'no-store' });
  const e = await res.json();
  const t = performance.now();
  const rate = lastEdge ? (e.samplesWritten - lastEdge.samples) / ((t - lastEdge.t) / 1000) : null;
  lastEdge = { samples: e.samplesWritten, t };
  const dl = document.getElementById('edge-facts');
  dl.replaceChildren();
  const connected = e.sources.filter(s => s.state === 'connected').length;
  fact(dl, 'Edge', `${e.edgeId} (${e.site})`);
  fact(dl, 'Sources connected', `${connected} / ${e.sources.length}`);
  fact(dl, 'Samples/s', rate === null ? '…' : Math.max(0, rate).toFixed(0));
  fact(dl, 'Spool backlog', `${e.spool.backlogSamples.toLocaleString('en')} samples`);
  fact(dl, 'Oldest unsent sample', e.spool.backlogSamples ? fmtDuration(e.spool.oldestUnacknowledgedSeconds * 1000) : 'none');
  fact(dl, 'Samples lost', e.spool.samplesDropped.toLocaleString('en'));
  fact(dl, 'Datacenter link', e.datacenter.state + (e.datacenter.lastError ? ` — ${e.datacenter.lastError}` : ''));
  const body = document.getElementById('edge-sources');
  body.replaceChildren(...e.sources.map(s => {
    const tr = el('tr');
    tr.append(el('td', null, s.name), el('td', null, s.kind), el('td', null, s.state), el('td', null, s.samples.toLocaleString('en')),
      el('td', null, s.lastSample ? `${fmtDuration(nowMs() - s.lastSample)} ago` : 'never'));
    return tr;
  }));
}

function machineKeyOf(hash) {
  if (!hash.startsWith('#/machine/')) return null;
  try { return decodeURIComponent(hash.slice('#/machine/'.length)); } catch { return hash.slice('#/machine/'.length); }
}

function route() {
  const edge = location.hash === '#/edge';
  const machineKey = machineKeyOf(location.hash);
  document.getElementById('plant').hidden = edge || machineKey !== null;
  document.getElementById('edge').hidden = !edge;
  if (machineKey !== null) { showMachine(machineKey); window.scrollTo(0, 0); } else { hideMachine(); document.title = 'Telemetry — live plant'; }
  clearInterval(edgeTimer);
  if (edge) { refreshEdge().catch(() => {}); edgeTimer = setInterval(() => refreshEdge().catch(() => {}), 2000); }
}

window.addEventListener('hashchange', route);
route();
loadSnapshot().catch(() => {}).finally(connectLive);
