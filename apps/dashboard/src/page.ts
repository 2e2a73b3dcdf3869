/** The dashboard's single page: tree browser, node details, services, sessions, a live event log. */
export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Zoo dashboard</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 320px 1fr; grid-template-rows: auto 1fr; height: 100vh; color: #222; }
  header { grid-column: 1 / 3; background: #234; color: #fff; padding: 10px 16px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  #status { font-size: 12px; opacity: .8; }
  nav { border-right: 1px solid #ddd; overflow: auto; padding: 8px; }
  main { overflow: auto; padding: 12px 16px; display: grid; gap: 16px; grid-template-columns: 1fr 1fr; align-content: start; }
  section { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; }
  section h2 { font-size: 14px; margin: 4px 0 8px; }
  ul.tree { list-style: none; padding-left: 14px; margin: 0; }
  ul.tree li > span { cursor: pointer; padding: 1px 4px; border-radius: 3px; }
  ul.tree li > span:hover, ul.tree li > span.selected { background: #def; }
  pre { background: #f6f8fa; padding: 6px; overflow: auto; margin: 4px 0; white-space: pre-wrap; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; }
  td, th { border-bottom: 1px solid #eee; padding: 2px 6px; text-align: left; }
  #events { font-family: ui-monospace, monospace; font-size: 12px; max-height: 260px; overflow: auto; }
</style>
</head>
<body>
<header><h1>Zoo dashboard</h1><span id="status">connecting…</span></header>
<nav><ul class="tree" id="tree"></ul></nav>
<main>
  <section id="node"><h2>Node</h2><div id="node-body">Select a node.</div></section>
  <section><h2>Services</h2><div id="services"></div></section>
  <section><h2>Sessions and watches</h2><div id="sessions"></div></section>
  <section><h2>Live events</h2><div id="events"></div></section>
</main>
<script>
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
async function api(path) { const r = await fetch(path); if (!r.ok) throw new Error(await r.text()); return r.json(); }

async function expand(li, path) {
  const existing = li.querySelector(':scope > ul');
  if (existing) { existing.remove(); return; }
  const { children } = await api('/api/tree?path=' + encodeURIComponent(path));
  const ul = document.createElement('ul');
  ul.className = 'tree';
  for (const name of children) ul.appendChild(item(path === '/' ? '/' + name : path + '/' + name, name));
  li.appendChild(ul);
}
function item(path, label) {
  const li = document.createElement('li');
  const span = document.createElement('span');
  span.textContent = label;
  span.dataset.path = path;
  span.onclick = () => { document.querySelectorAll('.selected').forEach((e) => e.classList.remove('selected')); span.classList.add('selected'); show(path); expand(li, path); };
  li.appendChild(span);
  return li;
}
async function show(path) {
  const n = await api('/api/node?path=' + encodeURIComponent(path));
  $('node-body').innerHTML = '<b id="node-path">' + esc(path) + '</b><pre id="node-data">' + esc(n.data ?? '(null)') + '</pre>' +
    '<table>' + Object.entries(n.stat).map(([k, v]) => '<tr><td>' + k + '</td><td>' + esc(v) + '</td></tr>').join('') + '</table>' +
    '<pre>' + esc(n.acl.map((a) => a.id.scheme + ':' + a.id.id + ' ' + a.perms).join('\\n')) + '</pre>';
}
async function services() {
  const list = await api('/api/services');
  $('services').innerHTML = list.length ? list.map((s) => '<div class="service"><b>' + esc(s.name) + '</b> (' + s.instances.length + ')<table>' +
    s.instances.map((i) => '<tr class="instance"><td>' + esc(i.id) + '</td><td>' + esc(i.address + ':' + i.port) + '</td></tr>').join('') + '</table></div>').join('') : 'none';
}
async function sessions() {
  const s = await api('/api/sessions');
  $('sessions').innerHTML = '<table><tr><th>session</th><th>timeout</th><th>ephemerals</th><th>watches</th></tr>' +
    s.map((x) => '<tr><td>' + esc(x.id) + '</td><td>' + x.timeout + '</td><td>' + esc(x.ephemerals.join(' ')) + '</td><td>' + esc(x.watches.join(' ')) + '</td></tr>').join('') + '</table>';
}
function refresh() { services().catch(() => {}); sessions().catch(() => {}); }
const root = item('/', '/');
$('tree').appendChild(root);
expand(root, '/');
refresh();
const events = new EventSource('/api/events');
events.onopen = () => { $('status').textContent = 'live'; };
events.onerror = () => { $('status').textContent = 'reconnecting…'; };
events.onmessage = (m) => {
  const e = JSON.parse(m.data);
  const line = document.createElement('div');
  line.className = 'event';
  line.textContent = new Date().toLocaleTimeString() + '  ' + e.type + '  ' + e.path;
  $('events').prepend(line);
  refresh();
};
</script>
</body>
</html>
`;
