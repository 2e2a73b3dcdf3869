/**
 * The dashboard's single page: server charts (uPlot, served by the dashboard), tree browser and
 * editor, services with health and drain, groups, sessions, activity and raw watch events.
 * Plain DOM code, no build step: the page is what the dashboard's own server sends.
 */
export function page(settings: { allowEdit: boolean }): string {
  return PAGE.replace('__SETTINGS__', JSON.stringify(settings).replace(/</g, '\\u003c'));
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Zoo dashboard</title>
<link rel="stylesheet" href="/assets/uPlot.min.css">
<script src="/assets/uPlot.iife.min.js"></script>
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 300px 1fr; grid-template-rows: auto 1fr; height: 100vh; color: #222; }
  header { grid-column: 1 / 3; background: #234; color: #fff; padding: 8px 16px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  #status, #mode { font-size: 12px; opacity: .85; }
  #mode.edit { background: #c60; padding: 1px 6px; border-radius: 3px; opacity: 1; }
  nav { border-right: 1px solid #ddd; overflow: auto; padding: 8px; }
  main { overflow: auto; padding: 12px 16px; display: grid; gap: 14px; grid-template-columns: 1fr 1fr; align-content: start; }
  section { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; min-width: 0; }
  section.wide { grid-column: 1 / 3; }
  section h2 { font-size: 14px; margin: 4px 0 8px; }
  .host h3 { font-size: 13px; margin: 6px 0; }
  .host .err { color: #b00; font-weight: normal; }
  .charts { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; }
  .chart { min-height: 150px; position: relative; }
  .chart .last { position: absolute; right: 4px; top: 0; font-size: 11px; color: #555; }
  .uplot .u-title { font-size: 12px; font-weight: 600; }
  .uplot .u-legend { font-size: 11px; } .uplot .u-legend .u-series { padding: 0 4px; } .uplot .u-legend .u-series th { font-weight: normal; }
  ul.tree { list-style: none; padding-left: 14px; margin: 0; }
  ul.tree li > span { cursor: pointer; padding: 1px 4px; border-radius: 3px; }
  ul.tree li > span:hover, ul.tree li > span.selected { background: #def; }
  pre { background: #f6f8fa; padding: 6px; overflow: auto; margin: 4px 0; white-space: pre-wrap; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; }
  td, th { border-bottom: 1px solid #eee; padding: 2px 6px; text-align: left; vertical-align: top; }
  textarea { width: 100%; box-sizing: border-box; font-family: ui-monospace, monospace; }
  .badge { font-size: 11px; padding: 0 5px; border-radius: 8px; background: #eee; }
  .up { background: #cfc; } .unreachable { background: #fcc; } .drained { background: #fd9; } .in-rotation { background: #cef; }
  .conflict { border: 1px solid #c60; background: #fff4e5; padding: 6px; margin-top: 6px; }
  .error { color: #b00; }
  #node[data-loading] #node-body { opacity: .6; }
  #events, #activity { font-family: ui-monospace, monospace; font-size: 12px; max-height: 240px; overflow: auto; }
  .activity.registered { color: #060; } .activity.deregistered { color: #a00; } .activity.drained { color: #a60; } .activity.config-set, .activity.config-removed { color: #036; }
</style>
</head>
<body>
<header><h1>Zoo dashboard</h1><span id="status">connecting…</span><span id="mode"></span></header>
<nav><ul class="tree" id="tree"></ul></nav>
<main>
  <section class="wide"><h2>Server</h2><div id="hosts"></div></section>
  <section id="node"><h2>Node</h2><div id="node-body">Select a node.</div><div id="node-edit"></div></section>
  <section><h2>Activity</h2><div id="activity"></div></section>
  <section><h2>Services</h2><div id="services"></div></section>
  <section><h2>Groups</h2><div id="groups"></div></section>
  <section><h2>Sessions and watches</h2><div id="sessions"></div></section>
  <section><h2>Watch events</h2><div id="events"></div></section>
</main>
<script>
const SETTINGS = __SETTINGS__;
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
async function api(path, init) {
  const r = await fetch(path, init);
  const body = r.status === 204 ? null : await r.json();
  if (!r.ok) { const e = new Error(body && body.error || r.statusText); e.status = r.status; e.body = body; throw e; }
  return body;
}
const send = (method, path, body) => api(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
$('mode').textContent = SETTINGS.allowEdit ? 'editing allowed' : 'read-only';
if (SETTINGS.allowEdit) $('mode').className = 'edit';

// ---- charts -------------------------------------------------------------------------------
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
const METRICS = [
  { key: 'requests', title: 'requests/s by op', series: (p) => p.requestsPerSec, unit: '/s' },
  { key: 'latency', title: 'latency (ms)', series: (p) => p.latencyMs, unit: ' ms' },
  { key: 'connections', title: 'connections', series: (p) => ({ connections: p.connections }) },
  { key: 'znodes', title: 'znodes', series: (p) => ({ znodes: p.znodes }) },
  { key: 'watches', title: 'watches', series: (p) => ({ watches: p.watches }) },
  { key: 'fsync', title: 'fsync (ms, mean)', series: (p) => ({ fsync: p.fsyncMs }), unit: ' ms' },
];
const hosts = new Map();
function hostBlock(name) {
  let h = hosts.get(name);
  if (h) return h;
  const el = document.createElement('div');
  el.className = 'host';
  el.dataset.host = name;
  el.innerHTML = '<h3><span class="name">' + esc(name) + '</span> <span class="badge role"></span> <span class="err"></span></h3><div class="charts">' +
    METRICS.map((m) => '<div class="chart" data-metric="' + m.key + '" data-points="0"><span class="last"></span></div>').join('') + '</div>';
  $('hosts').appendChild(el);
  h = { el, points: [], charts: new Map() };
  hosts.set(name, h);
  return h;
}
function draw(h) {
  const xs = h.points.map((p) => p.t / 1000);
  const last = h.points[h.points.length - 1];
  h.el.querySelector('.role').textContent = last ? last.source + (last.mode ? ' · ' + last.mode : '') : '';
  for (const m of METRICS) {
    const box = h.el.querySelector('[data-metric="' + m.key + '"]');
    const keys = [];
    for (const p of h.points) for (const [k, v] of Object.entries(m.series(p))) if (v !== null && v !== undefined && !keys.includes(k) && (m.key !== 'requests' || v > 0 || keys.length === 0)) keys.push(k);
    keys.sort();
    const data = [xs, ...keys.map((k) => h.points.map((p) => { const v = m.series(p)[k]; return v === undefined ? null : v; }))];
    const sig = keys.join('|');
    let c = h.charts.get(m.key);
    const width = Math.max(220, box.clientWidth || 300);
    if (!c || c.sig !== sig) {
      if (c) c.plot.destroy();
      const plot = new uPlot({
        title: m.title, width, height: 140, legend: { show: keys.length > 1, live: false },
        scales: { x: { time: true } },
        series: [{}, ...keys.map((k, i) => ({ label: k, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true }))],
        axes: [{ size: 24, font: '10px system-ui' }, { size: 44, font: '10px system-ui' }],
      }, data, box);
      c = { plot, sig };
      h.charts.set(m.key, c);
    } else c.plot.setData(data);
    box.dataset.points = String(xs.length);
    const values = last ? Object.entries(m.series(last)).filter(([, v]) => v !== null && v !== undefined) : [];
    box.dataset.series = keys.join(',');
    box.querySelector('.last').textContent = keys.length === 0 ? 'no data' : values.length === 1 ? fmt(values[0][1]) + (m.unit || '') : '';
  }
}
const fmt = (v) => (Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(2));
function addPoint(name, point, error) {
  const h = hostBlock(name);
  h.el.querySelector('.err').textContent = error ? 'unreachable: ' + error : '';
  if (point) { h.points.push(point); if (h.points.length > 300) h.points.shift(); }
  draw(h);
}
api('/api/metrics').then((list) => { for (const x of list) { const h = hostBlock(x.name); h.points = x.points; addPoint(x.name, null, x.error); } }).catch(() => {});

// ---- tree and node -------------------------------------------------------------------------
async function expand(li, path) {
  const existing = li.querySelector(':scope > ul');
  if (existing) { existing.remove(); return; }
  const { children } = await api('/api/tree?path=' + encodeURIComponent(path));
  const ul = document.createElement('ul');
  ul.className = 'tree';
  for (const name of children) ul.appendChild(item(path === '/' ? '/' + name : path + '/' + name, name));
  li.appendChild(ul);
}
// keeps expanded parts of the tree in step with the watch events
async function relist(parent) {
  const span = document.querySelector('ul.tree span[data-path="' + CSS.escape(parent) + '"]');
  const ul = span && span.parentElement.querySelector(':scope > ul');
  if (!ul) return;
  const { children } = await api('/api/tree?path=' + encodeURIComponent(parent));
  const shown = new Map([...ul.children].map((li) => [li.firstChild.dataset.path, li]));
  const wanted = children.map((name) => (parent === '/' ? '/' + name : parent + '/' + name));
  for (const [path, li] of shown) if (!wanted.includes(path)) li.remove();
  wanted.forEach((path, i) => { const li = shown.get(path) || item(path, children[i]); ul.appendChild(li); });
}
const parentOf = (p) => (p.lastIndexOf('/') <= 0 ? '/' : p.slice(0, p.lastIndexOf('/')));
function item(path, label) {
  const li = document.createElement('li');
  const span = document.createElement('span');
  span.textContent = label;
  span.dataset.path = path;
  span.onclick = () => { document.querySelectorAll('.selected').forEach((e) => e.classList.remove('selected')); span.classList.add('selected'); show(path); expand(li, path); };
  li.appendChild(span);
  return li;
}
const aclText = (acl) => acl.map((a) => a.id.scheme + ':' + a.id.id + ' ' + perms(a.perms)).join(', ');
const perms = (p) => ['r', 'w', 'c', 'd', 'a'].filter((_, i) => p & [1, 2, 4, 8, 16][i]).join('') + ' (' + p + ')';
function nodeHtml(n) {
  return '<b id="node-path">' + esc(n.path) + '</b> <span class="badge" id="node-version">version ' + n.stat.version + '</span><pre id="node-data">' + esc(n.data ?? '(null)') + '</pre>' +
    '<div>ACL: <code id="node-acl">' + esc(aclText(n.acl)) + '</code></div>' +
    '<details><summary>Stat</summary><table>' + Object.entries(n.stat).map(([k, v]) => '<tr><td>' + k + '</td><td>' + esc(v) + '</td></tr>').join('') + '</table></details>';
}
let current = null;
let showing = 0;
// only the last node clicked is shown (an earlier, slower answer must not replace it or the form)
async function show(path) {
  const seq = ++showing;
  $('node').dataset.loading = 'true';
  try {
    const n = await api('/api/node?path=' + encodeURIComponent(path));
    if (seq !== showing) return;
    current = n;
    $('node-body').innerHTML = nodeHtml(n);
    $('node-edit').innerHTML = SETTINGS.allowEdit ? editForm(n) : '';
  } catch (e) {
    if (seq === showing) { current = null; $('node-body').innerHTML = '<span class="error">' + esc(path + ': ' + e.message) + '</span>'; $('node-edit').innerHTML = ''; }
  } finally {
    if (seq === showing) delete $('node').dataset.loading;
  }
}
function editForm(n) {
  return '<h3>Edit</h3><textarea id="edit-data" rows="3">' + esc(n.data ?? '') + '</textarea>' +
    '<div>expected version <input id="edit-version" size="4" value="' + n.stat.version + '"> <button id="save">Set</button> <button id="delete">Delete</button></div>' +
    '<div id="edit-result"></div>' +
    '<h3>Create child</h3><input id="create-name" placeholder="name"> <select id="create-mode"><option>persistent</option><option>persistentSequential</option><option>ephemeral</option><option>container</option></select>' +
    '<textarea id="create-data" rows="2" placeholder="data"></textarea><button id="create">Create</button>';
}
function showResult(html, cls) { $('edit-result').innerHTML = '<div class="' + cls + '">' + html + '</div>'; }
function showError(e) {
  if (e.status === 409 && e.body && e.body.current) {
    const c = e.body.current;
    showResult('<b>Conflict (' + esc(e.body.code) + '):</b> ' + esc(e.message) + '<div>now at version <b id="conflict-version">' + c.stat.version + '</b>:</div><pre id="conflict-data">' + esc(c.data ?? '(null)') +
      '</pre><button id="take-current">Edit the current version</button>', 'conflict');
    $('take-current').onclick = () => { $('edit-data').value = c.data ?? ''; $('edit-version').value = c.stat.version; };
  } else showResult(esc(e.message), 'error');
}
document.addEventListener('click', async (ev) => {
  const t = ev.target;
  if (!current || !(t instanceof HTMLElement)) return;
  try {
    if (t.id === 'save') {
      const n = await send('PUT', '/api/node', { path: current.path, data: $('edit-data').value, version: Number($('edit-version').value) });
      current = n; $('node-body').innerHTML = nodeHtml(n); $('edit-version').value = n.stat.version; showResult('saved: version ' + n.stat.version, 'ok');
    } else if (t.id === 'delete') {
      await api('/api/node?path=' + encodeURIComponent(current.path) + '&version=' + Number($('edit-version').value), { method: 'DELETE' });
      $('node-body').textContent = current.path + ' deleted'; $('node-edit').innerHTML = ''; current = null;
    } else if (t.id === 'create') {
      const path = (current.path === '/' ? '' : current.path) + '/' + $('create-name').value;
      const n = await send('POST', '/api/node', { path, data: $('create-data').value, mode: $('create-mode').value });
      showResult('created ' + esc(n.path), 'ok');
    }
  } catch (e) { showError(e); }
});

// ---- services, groups, sessions ------------------------------------------------------------
async function services() {
  const list = await api('/api/services');
  $('services').innerHTML = list.length ? list.map((s) => '<div class="service" data-service="' + esc(s.name) + '"><b>' + esc(s.name) + '</b> (' + s.instances.length + ')<table>' +
    s.instances.map((i) => '<tr class="instance" data-id="' + esc(i.id) + '"><td>' + esc(i.id) + '</td><td>' + esc(i.address + (i.port ? ':' + i.port : '')) + '</td>' +
      '<td><span class="badge health ' + i.health + '">' + i.health + '</span></td><td><span class="badge state ' + (i.enabled ? 'in-rotation">in rotation' : 'drained">drained') + '</span></td>' +
      '<td>' + (SETTINGS.allowEdit ? '<button class="' + (i.enabled ? 'drain' : 'undrain') + '" data-name="' + esc(s.name) + '" data-id="' + esc(i.id) + '">' + (i.enabled ? 'Drain' : 'Enable') + '</button>' : '') + '</td>' +
      '<td title="owning session">' + esc(i.session) + '</td></tr>').join('') + '</table></div>').join('') : 'none';
}
$('services').addEventListener('click', async (ev) => {
  const b = ev.target;
  if (!(b instanceof HTMLButtonElement)) return;
  try { await send('POST', '/api/services/enabled', { name: b.dataset.name, id: b.dataset.id, enabled: b.className !== 'drain' }); }
  catch (e) { alert(e.message); }
  services().catch(() => {});
});
async function groups() {
  const list = await api('/api/groups');
  $('groups').innerHTML = list.length ? list.map((g) => '<div class="group"><b>' + esc(g.path) + '</b> (' + g.members.length + ')<table>' +
    g.members.map((m) => '<tr class="member"><td>' + esc(m.id) + '</td><td>' + esc(m.payload ?? '') + '</td><td>' + esc(m.session) + '</td></tr>').join('') + '</table></div>').join('') : 'no groups';
}
async function sessions() {
  const s = await api('/api/sessions');
  $('sessions').innerHTML = '<table><tr><th>session</th><th>timeout</th><th>ephemerals</th><th>watches</th></tr>' +
    s.map((x) => '<tr><td>' + esc(x.id) + '</td><td>' + x.timeout + '</td><td>' + esc(x.ephemerals.join(' ')) + '</td><td>' + esc(x.watches.join(' ')) + '</td></tr>').join('') + '</table>';
}
let pending;
function refresh() { clearTimeout(pending); pending = setTimeout(() => { services().catch(() => {}); groups().catch(() => {}); sessions().catch(() => {}); }, 150); }
function addActivity(a) {
  const line = document.createElement('div');
  line.className = 'activity ' + a.kind;
  line.textContent = new Date(a.t).toLocaleTimeString() + '  ' + a.text;
  $('activity').prepend(line);
}

const root = item('/', '/');
$('tree').appendChild(root);
expand(root, '/');
refresh();
api('/api/activity').then((list) => list.forEach(addActivity)).catch(() => {});
const events = new EventSource('/api/events');
events.onopen = () => { $('status').textContent = 'live'; };
events.onerror = () => { $('status').textContent = 'reconnecting…'; };
events.onmessage = (m) => {
  const e = JSON.parse(m.data);
  const line = document.createElement('div');
  line.className = 'event';
  line.textContent = new Date().toLocaleTimeString() + '  ' + e.type + '  ' + e.path;
  $('events').prepend(line);
  while ($('events').childElementCount > 500) $('events').lastChild.remove();
  if (e.path && (e.type === 'NodeCreated' || e.type === 'NodeDeleted')) relist(parentOf(e.path)).catch(() => {});
  refresh();
};
events.addEventListener('activity', (m) => addActivity(JSON.parse(m.data)));
events.addEventListener('metrics', (m) => { const x = JSON.parse(m.data); addPoint(x.host, x.point, x.error); });
</script>
</body>
</html>
`;
