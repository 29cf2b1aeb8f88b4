// @ts-check
// Refusal Ledger view: renders the view model the extension posts (all figures and chart geometry are computed in
// core, src/core/ledger/viewModel.ts). Charts are plain SVG built here: no chart library to ship or keep up to date,
// colours from VS Code's theme through CSS variables (ledger.css), and a bar chart is a few lines of DOM.
/** @typedef {import('../src/extension/webview/protocol').LedgerToView} LedgerToView */
/** @typedef {import('../src/extension/webview/protocol').LedgerFromView} LedgerFromView */
/** @typedef {import('../src/extension/webview/protocol').LedgerViewState} LedgerViewState */
/** @typedef {import('../src/core/ledger/viewModel').LedgerViewModel} LedgerViewModel */
/** @typedef {import('../src/core/ledger/viewModel').BarChart} BarChart */
/** @typedef {import('../src/core/ledger/viewModel').ViewTable} ViewTable */
(function () {
  /** @type {VsCodeWebviewApi<LedgerFromView, LedgerViewState>} */
  const vscode = acquireVsCodeApi();
  const SVG = 'http://www.w3.org/2000/svg';
  /** @param {string} id */
  function $(id) {
    const node = document.getElementById(id);
    if (!node) throw new Error(`ledger view: no #${id}`);
    return node;
  }
  const period = /** @type {HTMLSelectElement} */ ($('period'));

  /**
   * @param {string} tag
   * @param {string} [className]
   * @param {string} [text]
   */
  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  /**
   * @param {string} tag
   * @param {Record<string, string | number>} [attrs]
   */
  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }
  /** @param {Node} node */
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  /** @param {BarChart} c */
  function chart(c) {
    const figure = el('figure', 'chart');
    figure.appendChild(el('figcaption', '', c.title));
    const root = svg('svg', { viewBox: `0 0 ${c.width} ${c.height}`, role: 'img', 'aria-label': c.title });
    for (const t of c.ticks) {
      root.appendChild(svg('line', { x1: c.axisX, x2: c.width, y1: t.y, y2: t.y, class: 'grid' }));
      const label = svg('text', { x: c.axisX - 4, y: t.y + 4, 'text-anchor': 'end', class: 'axis' });
      label.textContent = t.label;
      root.appendChild(label);
    }
    for (const b of c.bars) {
      const rect = svg('rect', { x: b.x, y: b.y, width: b.width, height: b.height, class: 'bar' });
      const title = svg('title');
      title.textContent = b.title;
      rect.appendChild(title);
      root.appendChild(rect);
    }
    for (const l of c.labels) {
      const label = svg('text', { x: l.x, y: c.height - 4, 'text-anchor': 'middle', class: 'axis' });
      label.textContent = l.label;
      root.appendChild(label);
    }
    figure.appendChild(root);
    return figure;
  }

  /** @param {ViewTable} t */
  function table(t) {
    const wrap = el('div', 'table');
    wrap.appendChild(el('h2', '', t.title));
    if (t.rows.length === 0) {
      wrap.appendChild(el('p', 'muted', 'Nothing in this period.'));
      return wrap;
    }
    const tbl = el('table');
    const head = el('tr');
    t.columns.forEach((c, i) => head.appendChild(el('th', t.numeric[i] ? 'num' : '', c)));
    tbl.appendChild(head);
    for (const row of t.rows) {
      const tr = el('tr');
      row.forEach((cell, i) => tr.appendChild(el('td', t.numeric[i] ? 'num' : '', cell)));
      tbl.appendChild(tr);
    }
    wrap.appendChild(tbl);
    return wrap;
  }

  /** @param {LedgerViewModel['refusals']} list */
  function refusals(list) {
    const box = $('refusals');
    clear(box);
    if (list.length === 0) {
      box.appendChild(el('p', 'muted', 'No refused turns in this period.'));
      return;
    }
    const tbl = el('table');
    const head = el('tr');
    ['when (UTC)', 'models', 'category', 'tokens', 'cost', 'request ids'].forEach((c, i) => head.appendChild(el('th', i === 3 || i === 4 ? 'num' : '', c)));
    tbl.appendChild(head);
    for (const r of list) {
      const tr = el('tr');
      tr.appendChild(el('td', '', r.when));
      tr.appendChild(el('td', '', r.models));
      tr.appendChild(el('td', '', r.category));
      tr.appendChild(el('td', 'num', r.tokens));
      const cost = el('td', 'num', r.cost + (r.estimated ? ' *' : ''));
      if (r.estimated) cost.title = 'Estimated from token usage at list prices (no cost-state around this turn)';
      tr.appendChild(cost);
      tr.appendChild(el('td', 'ids', r.requestIds || '—'));
      tbl.appendChild(tr);
    }
    box.appendChild(tbl);
  }

  /**
   * @param {LedgerViewModel} model
   * @param {number} days
   */
  function render(model, days) {
    period.value = String(days);
    $('status').textContent = model.empty
      ? `No refused turns between ${model.period.from} and ${model.period.to}.`
      : `${model.period.from} .. ${model.period.to}`;
    $('status').classList.remove('error');
    $('content').classList.remove('hidden');
    const summary = $('summary');
    clear(summary);
    for (const s of model.summary) {
      const card = el('div', 'card');
      card.appendChild(el('div', 'value', s.value));
      card.appendChild(el('div', 'label muted', s.label));
      summary.appendChild(card);
    }
    const trend = $('trend');
    trend.textContent = model.trend.text;
    trend.className = 'trend ' + model.trend.direction;
    const charts = $('charts');
    clear(charts);
    model.charts.forEach((c) => charts.appendChild(chart(c)));
    const tables = $('tables');
    clear(tables);
    model.tables.forEach((t) => tables.appendChild(table(t)));
    refusals(model.refusals);
    $('credit').textContent = model.creditRequest;
    /** @type {HTMLButtonElement} */ ($('copyCredit')).disabled = model.empty;
    /** @type {HTMLButtonElement} */ ($('exportCsv')).disabled = model.empty;
    $('footnote').textContent = model.footnote;
  }

  window.addEventListener('message', (/** @type {MessageEvent<LedgerToView>} */ event) => {
    const m = event.data;
    if (m.type === 'model') {
      vscode.setState({ days: m.days });
      render(m.model, m.days);
    } else if (m.type === 'status') {
      $('status').textContent = m.text;
      $('status').classList.toggle('error', !!m.error);
    } else if (m.type === 'notice') {
      $('footnote').textContent = m.text;
    }
  });

  period.addEventListener('change', () => vscode.postMessage({ type: 'period', days: Number(period.value) }));
  $('refresh').addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  $('exportCsv').addEventListener('click', () => vscode.postMessage({ type: 'exportCsv' }));
  $('copyCredit').addEventListener('click', () => vscode.postMessage({ type: 'copyCredit' }));
  const state = vscode.getState();
  if (state && state.days) vscode.postMessage({ type: 'period', days: state.days });
  vscode.postMessage({ type: 'ready' });
})();
