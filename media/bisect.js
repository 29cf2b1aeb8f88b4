// @ts-check
// Live bisect view: renders the view model the extension posts (figures, formatting and chart geometry are computed
// in src/extension/bisect/viewModel.ts). No inline handlers (the CSP forbids them); buttons post messages back.
/** @typedef {import('../src/extension/webview/protocol').BisectToView} BisectToView */
/** @typedef {import('../src/extension/webview/protocol').BisectFromView} BisectFromView */
/** @typedef {import('../src/extension/webview/protocol').BisectViewState} BisectViewState */
/** @typedef {import('../src/extension/bisect/viewModel').BisectViewModel} BisectViewModel */
/** @typedef {import('../src/extension/bisect/viewModel').BisectChart} BisectChart */
/** @typedef {import('../src/extension/bisect/findings').FindingsViewModel} FindingsViewModel */
/** @typedef {import('../src/extension/bisect/findings').ModelRatesView} ModelRatesView */
/** @typedef {import('../src/extension/unblock/viewModel').PassViewModel} PassViewModel */
(function () {
  /** @type {VsCodeWebviewApi<BisectFromView, BisectViewState>} */
  const vscode = acquireVsCodeApi();
  const SVG = 'http://www.w3.org/2000/svg';
  /** @type {BisectViewModel | undefined} the bisect's last model: its phase comes back after a Make It Pass confirmation. */
  let last;

  /** @param {string} id */
  function $(id) {
    const node = document.getElementById(id);
    if (!node) throw new Error(`bisect view: no #${id}`);
    return node;
  }
  /** @param {string} id */
  const button = (id) => /** @type {HTMLButtonElement} */ ($(id));

  /**
   * @param {string} name
   * @param {Record<string, string | number>} attrs
   */
  function svg(name, attrs) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    return node;
  }

  /** @param {BisectChart} chart */
  function drawChart(chart) {
    const root = $('chart');
    root.setAttribute('viewBox', `0 0 ${chart.width} ${chart.height}`);
    while (root.firstChild) root.removeChild(root.firstChild);
    for (const a of chart.axes) root.appendChild(svg('line', { ...a, class: 'axis' }));
    if (chart.path) root.appendChild(svg('path', { d: chart.path, class: 'line' }));
    if (chart.dot) root.appendChild(svg('circle', { cx: chart.dot.x, cy: chart.dot.y, r: 3, class: 'dot' }));
    for (const l of chart.labels) {
      const text = svg('text', { x: l.x, y: l.y });
      text.textContent = l.text;
      root.appendChild(text);
    }
  }

  /** @param {BisectViewModel} model */
  function render(model) {
    last = model;
    $('probes').textContent = model.stats.probes;
    $('tokens').textContent = model.stats.tokens;
    $('cost').textContent = model.stats.cost;
    $('size').textContent = model.stats.size;
    $('original').textContent = model.stats.original;
    $('phase').textContent = model.phase;
    drawChart(model.chart);
    if (model.result) {
      $('cancel').classList.add('hidden');
      const box = $('result');
      box.className = model.result.stopped ? 'stopped' : 'done';
      $('verdict').textContent = model.result.summary;
      $('minimal').textContent = model.result.minimal;
      renderFindings(model.result.findings);
      $('measureModels').classList.toggle('hidden', !model.result.canMeasure);
      $('next').classList.remove('hidden');
    }
    vscode.setState({ ...(vscode.getState() || {}), model });
  }

  /**
   * @param {string} id
   * @param {string | undefined} text
   */
  function optionalText(id, text) {
    $(id).textContent = text || '';
    $(id).classList.toggle('hidden', !text);
  }

  /**
   * @param {HTMLTableRowElement} tr
   * @param {'th' | 'td'} tag
   * @param {string[]} cells
   */
  function cells(tr, tag, cells) {
    for (const text of cells) {
      const cell = document.createElement(tag);
      cell.textContent = text;
      tr.appendChild(cell);
    }
  }

  /** @param {ModelRatesView} rates */
  function renderRates(rates) {
    $('modelsCaption').textContent = rates.caption;
    const table = $('modelsTable');
    while (table.firstChild) table.removeChild(table.firstChild);
    const heads = rates.otherHeads || [];
    cells(table.appendChild(document.createElement('tr')), 'th', ['Model', 'Sent', 'Trigger', ...heads, ...(rates.readable ? ['Readable trigger'] : []), 'Control', 'Request ids']);
    for (const row of rates.rows) {
      const tr = document.createElement('tr');
      tr.className = row.notMeasured === undefined ? 'measured' : 'notMeasured';
      if (row.notMeasured !== undefined) {
        cells(tr, 'td', [`${row.model}, ${row.role}`, row.form]);
        const why = document.createElement('td');
        why.colSpan = (rates.readable ? 4 : 3) + heads.length;
        why.textContent = row.notMeasured;
        tr.appendChild(why);
      } else {
        cells(tr, 'td', [`${row.model}, ${row.role}`, row.form, row.trigger, ...heads.map((_, i) => (row.others && row.others[i]) || '—'), ...(rates.readable ? [row.readable || '—'] : []), row.control, row.requestIds]);
      }
      table.appendChild(tr);
    }
    list('modelsNotes', rates.notes);
    optionalText('modelsStopped', rates.stoppedEarly && `Stopped early: ${rates.stoppedEarly}`);
    $('regression').textContent = rates.regression;
  }

  /** @param {FindingsViewModel} findings */
  function renderFindings(findings) {
    optionalText('attribution', findings.attribution && findings.attribution.text);
    $('attribution').className = findings.attribution && findings.attribution.flagged ? 'flagged' : '';
    $('attribution').classList.toggle('hidden', !findings.attribution);
    optionalText('context', findings.context);
    if (findings.models) renderRates(findings.models);
    $('models').classList.toggle('hidden', !findings.models);
    $('findings').classList.toggle('hidden', !findings.attribution && !findings.context && !findings.models);
  }

  /**
   * @param {string} id
   * @param {string[]} lines
   */
  function list(id, lines) {
    const root = $(id);
    while (root.firstChild) root.removeChild(root.firstChild);
    for (const line of lines) {
      const li = document.createElement('li');
      li.textContent = line;
      root.appendChild(li);
    }
  }

  /** @param {PassViewModel} pass */
  function renderPass(pass) {
    $('pass').classList.remove('hidden');
    $('passPhase').textContent = pass.phase;
    $('passProbes').textContent = pass.probes;
    $('passVerdict').textContent = pass.verdict || '';
    $('passVerification').textContent = pass.verification || '';
    $('passVerification').className = pass.passes ? 'verification ok' : 'verification';
    list('passRemoved', pass.removed);
    list('passWritten', pass.written);
    list('passNotes', pass.notes);
    $('passPrompt').textContent = pass.prompt || '';
    $('passPromptBox').classList.toggle('hidden', pass.prompt === undefined);
    $('passCancel').classList.toggle('hidden', !pass.running);
    button('passCancel').disabled = false;
    button('makeItPass').disabled = pass.running;
    for (const id of /** @type {const} */ (['openSanitized', 'replaceOriginal', 'copyPrompt', 'repairSession'])) $(id).classList.toggle('hidden', !pass.offers[id]);
    vscode.setState({ ...(vscode.getState() || {}), pass });
  }

  window.addEventListener('message', (/** @type {MessageEvent<BisectToView>} */ event) => {
    const msg = event.data;
    switch (msg.type) {
      case 'confirm':
        $('estimate').textContent = msg.text;
        $('start').textContent = msg.start || 'Start Bisect';
        $('confirm').classList.remove('hidden');
        $('cancel').classList.add('hidden');
        $('phase').textContent = 'waiting for your go-ahead';
        return;
      case 'progress':
        $('confirm').classList.add('hidden');
        $('cancel').classList.remove('hidden');
        render(msg.model);
        return;
      case 'done':
        render(msg.model);
        return;
      case 'pass':
        $('confirm').classList.add('hidden');
        $('cancel').classList.add('hidden');
        if (last) $('phase').textContent = last.phase;
        renderPass(msg.model);
        // The outcome and its buttons sit below the chart: bring them into view once the search has ended.
        if (!msg.model.running) $('pass').scrollIntoView({ block: 'start' });
        return;
      case 'marks':
        $('marks').textContent = msg.text;
        $('marks').classList.remove('hidden');
        return;
      case 'error':
        $('cancel').classList.add('hidden');
        $('errorTitle').textContent = msg.title || 'Bisect failed';
        $('errorText').textContent = msg.message;
        $('errorBox').classList.remove('hidden');
        return;
    }
  });

  button('cancel').addEventListener('click', () => { button('cancel').disabled = true; vscode.postMessage({ type: 'cancel' }); });
  button('start').addEventListener('click', () => { $('confirm').classList.add('hidden'); $('cancel').classList.remove('hidden'); vscode.postMessage({ type: 'start' }); });
  button('decline').addEventListener('click', () => { $('confirm').classList.add('hidden'); $('phase').textContent = 'not started'; vscode.postMessage({ type: 'cancel' }); });
  button('diff').addEventListener('click', () => vscode.postMessage({ type: 'diff' }));
  button('draft').addEventListener('click', () => vscode.postMessage({ type: 'draft' }));
  // A second press while a measurement runs is answered by the extension (it shows the running one).
  button('measureModels').addEventListener('click', () => vscode.postMessage({ type: 'measureModels' }));
  for (const id of /** @type {const} */ (['makeItPass', 'openSanitized', 'replaceOriginal', 'copyPrompt', 'repairSession'])) {
    button(id).addEventListener('click', () => vscode.postMessage({ type: id }));
  }
  button('passCancel').addEventListener('click', () => { button('passCancel').disabled = true; vscode.postMessage({ type: 'passCancel' }); });
  const state = vscode.getState();
  if (state && state.model) render(state.model);
  if (state && state.pass) renderPass(state.pass);
  vscode.postMessage({ type: 'ready' });
})();
