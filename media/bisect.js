// Live bisect view: the extension posts progress messages; this draws the numbers and an SVG chart of the best
// candidate's size over probes. No inline handlers (the CSP forbids them); buttons post messages back.
(function () {
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  const points = [];
  const SVG = 'http://www.w3.org/2000/svg';

  function fmtBytes(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + ' MB';
    if (n >= 1024) return (n / 1024).toFixed(1) + ' KB';
    return n + ' B';
  }
  function fmtUsd(n) { return '$' + (n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)); }
  function el(name, attrs) {
    const node = document.createElementNS(SVG, name);
    for (const k in attrs) node.setAttribute(k, String(attrs[k]));
    return node;
  }

  function drawChart() {
    const svg = $('chart');
    const w = svg.clientWidth || 600, h = svg.clientHeight || 200, pad = 36;
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.appendChild(el('line', { x1: pad, y1: h - pad / 2, x2: w - 8, y2: h - pad / 2, class: 'axis' }));
    svg.appendChild(el('line', { x1: pad, y1: 8, x2: pad, y2: h - pad / 2, class: 'axis' }));
    if (points.length === 0) return;
    const maxX = Math.max(1, points[points.length - 1].probes);
    const maxY = Math.max(1, ...points.map((p) => p.size));
    const x = (v) => pad + (v / maxX) * (w - pad - 12);
    // Log scale: the size shrinks by orders of magnitude, a linear axis would flatten the interesting end.
    const ly = (v) => Math.log10(Math.max(1, v));
    const y = (v) => (h - pad / 2) - (ly(v) / Math.max(1, ly(maxY))) * (h - pad / 2 - 12);
    let d = '';
    points.forEach((p, i) => { d += (i ? ' L ' : 'M ') + x(p.probes).toFixed(1) + ' ' + y(p.size).toFixed(1); });
    svg.appendChild(el('path', { d, class: 'line' }));
    const last = points[points.length - 1];
    svg.appendChild(el('circle', { cx: x(last.probes), cy: y(last.size), r: 3, class: 'dot' }));
    const top = el('text', { x: 2, y: 16 }); top.textContent = fmtBytes(maxY); svg.appendChild(top);
    const bottom = el('text', { x: 2, y: h - pad / 2 }); bottom.textContent = '1 B'; svg.appendChild(bottom);
    const right = el('text', { x: w - 60, y: h - 4 }); right.textContent = maxX + ' probes'; svg.appendChild(right);
  }

  function setStats(s) {
    $('probes').textContent = String(s.probes);
    $('tokens').textContent = s.tokens.toLocaleString();
    $('cost').textContent = fmtUsd(s.costUsd);
    $('size').textContent = fmtBytes(s.currentSize);
    $('original').textContent = fmtBytes(s.originalSize);
    $('phase').textContent = s.phase;
  }

  window.addEventListener('message', (event) => {
    const msg = event.data;
    if (msg.type === 'confirm') {
      $('estimate').textContent = msg.text;
      $('confirm').classList.remove('hidden');
      $('cancel').classList.add('hidden');
      $('phase').textContent = 'waiting for your go-ahead';
    } else if (msg.type === 'progress') {
      $('confirm').classList.add('hidden');
      $('cancel').classList.remove('hidden');
      setStats(msg);
      const last = points[points.length - 1];
      if (!last || last.probes !== msg.probes || last.size !== msg.currentSize) points.push({ probes: msg.probes, size: msg.currentSize });
      drawChart();
    } else if (msg.type === 'done') {
      setStats(msg);
      if (Array.isArray(msg.points)) { points.length = 0; points.push(...msg.points); drawChart(); }
      $('cancel').classList.add('hidden');
      const box = $('result');
      box.classList.remove('hidden');
      box.className = msg.stoppedEarly ? 'stopped' : 'done';
      $('verdict').textContent = msg.summary;
      $('minimal').textContent = msg.minimal;
      $('next').classList.remove('hidden');
    } else if (msg.type === 'error') {
      $('cancel').classList.add('hidden');
      $('errorText').textContent = msg.message;
      $('errorBox').classList.remove('hidden');
    }
    vscode.setState({ points });
  });

  $('cancel').addEventListener('click', () => { $('cancel').disabled = true; vscode.postMessage({ type: 'cancel' }); });
  $('start').addEventListener('click', () => { $('confirm').classList.add('hidden'); $('cancel').classList.remove('hidden'); vscode.postMessage({ type: 'start' }); });
  $('decline').addEventListener('click', () => { $('confirm').classList.add('hidden'); $('phase').textContent = 'not started'; vscode.postMessage({ type: 'cancel' }); });
  $('diff').addEventListener('click', () => vscode.postMessage({ type: 'diff' }));
  $('draft').addEventListener('click', () => vscode.postMessage({ type: 'draft' }));
  window.addEventListener('resize', drawChart);
  const state = vscode.getState();
  if (state && Array.isArray(state.points)) { points.push(...state.points); drawChart(); }
  vscode.postMessage({ type: 'ready' });
})();
