// The observer's page: polls the JSON endpoints and draws them. No library: the page must work offline.
'use strict';

const observer = (() => {
  const token = new URLSearchParams(location.search).get('token') || '';
  const state = {
    sort: 'pid', order: 'asc', query: '', detailPid: null, lastReport: 0, reports: [],
    collapsed: new Set(), history: [], error: null,
  };

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  async function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    opts.headers['X-Observer-Token'] = token;
    const r = await fetch('/api/' + path, opts);
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  }

  function status(text, bad) {
    const s = document.getElementById('status');
    s.textContent = text;
    s.style.color = bad ? '#ffb3a7' : '';
  }

  // ---------------------------------------------------------------- tabs
  function showTab(name) {
    document.querySelectorAll('.tab').forEach(t => t.classList.toggle('active', t.dataset.tab === name));
    document.querySelectorAll('.panel').forEach(p => p.classList.toggle('active', p.id === name));
    if (name === 'load') drawCharts();
  }

  // ---------------------------------------------------------------- load
  function fmtBytes(n) { return (n / 1048576).toFixed(1) + ' MB'; }

  async function refreshOverview() {
    const o = await api('overview');
    document.getElementById('node-name').textContent = o.node;
    const l = o.latest;
    const cards = [
      ['processes', o.processes], ['running', l.running], ['waiting', l.waiting], ['blocked', l.blocked],
      ['messages/s', l.messagesPerSecond.toFixed(0)], ['queued messages', l.queuedMessages],
      ['spawns/s', l.spawnsPerSecond.toFixed(1)],
      ['spawned', o.spawned], ['crashed', o.crashed], ['runaways', o.runaways], ['registered', o.registered],
      ['heap used', fmtBytes(o.jvm.heapUsed)], ['heap max', fmtBytes(o.jvm.heapMax)],
      ['processors', o.jvm.processors], ['scheduler', o.scheduler],
    ];
    document.getElementById('overview').replaceChildren(...cards.map(([k, v]) =>
      el('div', { class: 'card', dataset: { key: k } }, el('div', { class: 'v' }, v), el('div', { class: 'k' }, k))));
    const h = await api('history');
    state.history = h.samples;
    drawCharts();
  }

  // A line chart of one or more series over the samples' times, with its own scale.
  function chart(id, series) {
    const c = document.getElementById(id);
    if (!c || c.offsetParent === null) return;
    const ratio = window.devicePixelRatio || 1;
    const w = c.clientWidth, h = c.clientHeight;
    c.width = w * ratio; c.height = h * ratio;
    const g = c.getContext('2d');
    g.scale(ratio, ratio);
    g.clearRect(0, 0, w, h);
    const data = state.history;
    if (data.length === 0) return;
    let max = 1;
    for (const s of series) for (const d of data) max = Math.max(max, s.value(d));
    const left = 44, right = 8, top = 22, bottom = 18;
    const t0 = data[0].time, t1 = Math.max(data[data.length - 1].time, t0 + 1000);
    const x = t => left + (w - left - right) * (t - t0) / (t1 - t0);
    const y = v => top + (h - top - bottom) * (1 - v / max);
    g.strokeStyle = '#e2e7ef'; g.fillStyle = '#5b6679'; g.font = '11px system-ui, sans-serif'; g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const v = max * i / 4, yy = y(v);
      g.beginPath(); g.moveTo(left, yy); g.lineTo(w - right, yy); g.stroke();
      g.fillText(v >= 100 ? Math.round(v) : v.toFixed(1), 2, yy + 4);
    }
    g.fillText(Math.round((t1 - t0) / 1000) + ' s', w - right - 30, h - 4);
    series.forEach(s => {
      g.strokeStyle = s.color; g.lineWidth = 2; g.beginPath();
      data.forEach((d, i) => { const px = x(d.time), py = y(s.value(d)); if (i === 0) g.moveTo(px, py); else g.lineTo(px, py); });
      g.stroke();
    });
    series.forEach((s, i) => { g.fillStyle = s.color; g.fillText(s.label, left + 6 + i * 110, 12); });
  }

  function drawCharts() {
    chart('chart-processes', [
      { label: 'processes', color: '#1f5fbf', value: d => d.processes },
      { label: 'running', color: '#e67e22', value: d => d.running },
    ]);
    chart('chart-messages', [
      { label: 'messages/s', color: '#1f5fbf', value: d => d.messagesPerSecond },
      { label: 'queued', color: '#8e44ad', value: d => d.queuedMessages },
      { label: 'spawns/s', color: '#27ae60', value: d => d.spawnsPerSecond },
    ]);
    chart('chart-memory', [
      { label: 'heap used', color: '#c0392b', value: d => d.heapUsed / 1048576 },
    ]);
  }

  // ---------------------------------------------------------------- applications
  function treeNode(t, path) {
    const key = path + '/' + (t.childId || t.pid);
    const collapsed = state.collapsed.has(key);
    const label = el('span', {
      class: 'node-label' + (t.supervisor ? ' sup' : '') + (t.alive ? '' : ' dead'),
      dataset: { pid: t.pid, childId: t.childId || '' },
      onclick: () => openDetail(t.pid),
    }, (t.childId ? t.childId + ' ' : '') + t.pid + (t.name ? ' (' + t.name + ')' : ''),
    t.mailbox > 0 ? ' [' + t.mailbox + ']' : '', t.busy ? ' busy' : '');
    const toggle = el('span', { class: 'toggle', onclick: () => {
      if (state.collapsed.has(key)) state.collapsed.delete(key); else state.collapsed.add(key);
      refreshApps();
    } }, t.children.length ? (collapsed ? '\u25B6' : '\u25BC') : '');
    const li = el('li', { dataset: { pid: t.pid } }, toggle, label);
    if (t.children.length && !collapsed) {
      li.append(el('ul', {}, ...t.children.map(c => treeNode(c, key))));
    }
    return li;
  }

  async function refreshApps() {
    const a = await api('applications');
    const apps = a.applications.map(app => el('div', { class: 'app tree', dataset: { app: app.name } },
      el('h3', {}, app.name + ' ' + (app.version || ''), el('small', {}, ' ' + (app.description || '') + ' ' + app.type)),
      app.tree ? el('ul', {}, treeNode(app.tree, app.name)) : el('em', {}, 'library application')));
    apps.push(el('div', { class: 'app' }, el('h3', {}, 'Processes in no tree: ' + a.others.length)));
    document.getElementById('trees').replaceChildren(...apps);
  }

  // ---------------------------------------------------------------- processes
  async function refreshProcs() {
    const q = new URLSearchParams({ sort: state.sort, order: state.order, q: state.query, limit: '500' });
    const p = await api('processes?' + q);
    document.getElementById('proc-total').textContent = p.processes.length + ' shown of ' + p.total;
    document.querySelectorAll('#proc-table th').forEach(th => {
      th.classList.toggle('sorted-asc', th.dataset.sort === state.sort && state.order === 'asc');
      th.classList.toggle('sorted-desc', th.dataset.sort === state.sort && state.order === 'desc');
    });
    document.querySelector('#proc-table tbody').replaceChildren(...p.processes.map(r =>
      el('tr', { dataset: { pid: r.pid }, onclick: () => openDetail(r.pid) },
        el('td', { class: 'pid' }, r.pid), el('td', { class: 'name' }, r.name || ''),
        el('td', { class: 'status' }, r.status), el('td', { class: 'mailbox' }, r.mailbox),
        el('td', { class: 'received' }, r.received),
        el('td', { class: 'current', title: r.current }, r.current), el('td', {}, r.links),
        el('td', {}, r.monitors))));
  }

  function sortBy(column) {
    if (state.sort === column) state.order = state.order === 'asc' ? 'desc' : 'asc';
    else { state.sort = column; state.order = ['mailbox', 'received', 'links', 'monitors'].includes(column) ? 'desc' : 'asc'; }
    refreshProcs().catch(fail);
  }

  // ---------------------------------------------------------------- one process
  function openDetail(pid) {
    state.detailPid = pid;
    document.getElementById('detail').hidden = false;
    document.getElementById('detail-title').textContent = pid;
    document.getElementById('detail-state').textContent = '';
    document.getElementById('detail-message').textContent = '';
    refreshDetail().catch(fail);
  }

  function pidLinks(list) {
    if (!list.length) return '-';
    const span = el('span');
    list.forEach((p, i) => {
      if (i) span.append(' ');
      span.append(/^<[\d.]+>$/.test(p) ? el('span', { class: 'pid-link', onclick: () => openDetail(p) }, p) : p);
    });
    return span;
  }

  function reportItem(r) {
    const subject = r.fields.pid || r.fields.server || r.fields.supervisor || r.fields.machine || '';
    return el('li', { dataset: { seq: r.seq, label: r.label } },
      el('div', { class: 'report-head' }, el('span', { class: 'level-' + r.level }, r.level), ' ',
        r.label || r.logger, ' ', subject, ' ', el('small', {}, r.time)),
      r.fields.reason ? el('div', {}, 'reason: ' + r.fields.reason) : null,
      el('pre', { class: 'report-text' }, r.text));
  }

  async function refreshDetail() {
    const pid = state.detailPid;
    if (!pid) return;
    const info = document.getElementById('detail-info');
    let p;
    try {
      p = await api('process?pid=' + encodeURIComponent(pid));
    } catch (e) {
      if (pid === state.detailPid) {
        info.replaceChildren(el('dt', {}, 'status'), el('dd', { class: 'dead', id: 'detail-status' }, 'not alive'));
        // what the feed said about it is still worth reading: its crash, its supervisor's report
        const about = state.reports.filter(r => Object.values(r.fields).some(v => v === pid || v.includes(pid)));
        document.getElementById('detail-reports').replaceChildren(...about.slice().reverse().map(reportItem));
      }
      return;
    }
    if (pid !== state.detailPid) return;
    const rows = [
      ['name', p.name || '-'], ['status', p.status], ['mailbox', p.mailbox], ['received', p.received], ['current', p.current || '-'],
      ['trap exits', p.trapExits], ['links', pidLinks(p.links)], ['monitors', pidLinks(p.monitors)],
      ['monitored by', pidLinks(p.monitoredBy)], ['dropped', p.dropped], ['runaway', p.runaway],
    ];
    info.replaceChildren(...rows.flatMap(([k, v]) =>
      [el('dt', {}, k), el('dd', k === 'status' ? { id: 'detail-status' } : {}, v)]));
    document.getElementById('detail-reports').replaceChildren(...p.reports.slice().reverse().map(reportItem));
  }

  async function kill() {
    const pid = state.detailPid;
    const reason = document.getElementById('kill-reason').value.trim() || 'kill';
    const body = new URLSearchParams({ pid, reason });
    try {
      await api('kill', { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      document.getElementById('detail-message').textContent = 'sent exit signal ' + reason + ' to ' + pid;
      await Promise.all([refreshDetail(), refreshApps(), refreshProcs()]);
    } catch (e) {
      document.getElementById('detail-message').textContent = 'kill refused: ' + e.message;
    }
  }

  async function getState() {
    const s = await api('state?pid=' + encodeURIComponent(state.detailPid));
    document.getElementById('detail-state').textContent = s.state !== undefined ? s.state : s.error;
  }

  // ---------------------------------------------------------------- reports
  async function refreshReports() {
    const r = await api('reports?since=' + state.lastReport);
    if (!r.hooked) {
      document.getElementById('report-list').replaceChildren(el('li', {}, r.hint));
      return;
    }
    if (r.reports.length === 0) return;
    state.lastReport = r.reports[r.reports.length - 1].seq;
    state.reports = state.reports.concat(r.reports).slice(-200);
    document.getElementById('report-count').textContent = '(' + state.reports.length + ')';
    document.getElementById('report-list').replaceChildren(...state.reports.slice().reverse().map(reportItem));
  }

  // ---------------------------------------------------------------- wiring
  function fail(e) { status(e.message, true); }

  // One refresh at a time: on a busy node a refresh can take longer than the second between two.
  let refreshing = false;
  async function tick() {
    if (refreshing) return;
    refreshing = true;
    try {
      await Promise.all([refreshOverview(), refreshApps(), refreshProcs(), refreshReports(), refreshDetail()]);
      status('updated ' + new Date().toLocaleTimeString());
    } catch (e) {
      fail(e);
    } finally {
      refreshing = false;
    }
  }

  function start() {
    if (!token) {
      status('no token in the address: open the URL the observer printed (it ends with ?token=...)', true);
      return;
    }
    document.querySelectorAll('.tab').forEach(t => t.addEventListener('click', () => showTab(t.dataset.tab)));
    document.querySelectorAll('#proc-table th').forEach(th => th.addEventListener('click', () => sortBy(th.dataset.sort)));
    let timer = null;
    document.getElementById('search').addEventListener('input', e => {
      state.query = e.target.value;
      clearTimeout(timer);
      timer = setTimeout(() => refreshProcs().catch(fail), 150);
    });
    document.getElementById('kill-btn').addEventListener('click', () => kill());
    document.getElementById('state-btn').addEventListener('click', () => getState().catch(fail));
    document.getElementById('detail-close').addEventListener('click', () => {
      state.detailPid = null;
      document.getElementById('detail').hidden = true;
    });
    window.addEventListener('resize', drawCharts);
    tick();
    setInterval(tick, 1000);
  }

  document.addEventListener('DOMContentLoaded', start);
  return { state, showTab, openDetail, tick };
})();
