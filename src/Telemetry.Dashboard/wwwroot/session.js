// Who is signed in (ingest-served dashboard): GET /api/session -> { user, role: "site"|"operator", site, sites: [] }.
// Shows the user and a sign-out button in the header; an operator also gets a site picker that reloads the page with
// ?site=NAME (app.js passes it to /api/machines and /api/live). Asked only when the ingest's readable marker cookie
// says a session exists: the edge agent has no sign-in and is never asked.
'use strict';

(async function () {
  const box = document.getElementById('session');
  if (!box || !document.cookie.split(';').some(c => c.trim().startsWith('telemetry_signed_in='))) return;
  let res;
  try { res = await fetch('/api/session', { cache: 'no-store' }); } catch { return; }
  if (!res.ok) return;
  const s = await res.json();
  const make = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  const who = make('span', 'who', s.role === 'operator' ? `${s.user} · operator` : `${s.user} · ${s.site}`);
  box.replaceChildren(who);
  if (s.role === 'operator') {
    const label = make('label', 'picker');
    label.append(make('span', 'sr', 'Site '));
    const select = make('select');
    select.id = 'site-picker';
    const current = new URLSearchParams(location.search).get('site') || '';
    for (const [value, text] of [['', 'All sites'], ...s.sites.map(x => [x, x])]) {
      const o = make('option', null, text);
      o.value = value;
      o.selected = value === current;
      select.append(o);
    }
    select.addEventListener('change', () => {
      const q = new URLSearchParams(location.search);
      if (select.value) q.set('site', select.value); else q.delete('site');
      const search = q.toString();
      location.assign(location.pathname + (search ? '?' + search : '') + location.hash);
    });
    label.append(select);
    box.append(label);
  }
  const out = make('button', 'signout', 'Sign out');
  out.type = 'button';
  out.id = 'signout';
  out.addEventListener('click', async () => {
    try { await fetch('/api/session', { method: 'DELETE' }); } finally { location.replace('/login'); }
  });
  box.append(out);
  box.hidden = false;
})();
