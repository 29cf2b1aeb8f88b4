// Issue draft view: the title and markdown body are editable; redaction placeholders are listed and highlighted in
// a preview; the duplicate search shows its exact queries and runs only on its button; candidates are links.
// Buttons post messages; the extension searches, files, opens or copies.
(function () {
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  const PLACEHOLDER = /\[REDACTED:[\w-]+\]/g;
  let redactions = [];

  function highlight() {
    const body = $('body').value;
    const preview = $('preview');
    while (preview.firstChild) preview.removeChild(preview.firstChild);
    let last = 0;
    for (const m of body.matchAll(PLACEHOLDER)) {
      preview.appendChild(document.createTextNode(body.slice(last, m.index)));
      const mark = document.createElement('mark');
      mark.textContent = m[0];
      // The kind is in the placeholder ("[REDACTED:github-token-1]"); the list says which rule set found it.
      const found = redactions.find((r) => r.placeholder === m[0]);
      mark.title = found ? found.kind + (found.ruleSet ? ' (' + found.ruleSet + ')' : '') : m[0].slice(10, -1);
      preview.appendChild(mark);
      last = m.index + m[0].length;
    }
    preview.appendChild(document.createTextNode(body.slice(last)));
    const left = (body.match(PLACEHOLDER) || []).length;
    $('placeholderCount').textContent = left + ' placeholder' + (left === 1 ? '' : 's') + ' in the body';
  }

  function renderRedactions() {
    const list = $('redactions');
    while (list.firstChild) list.removeChild(list.firstChild);
    if (redactions.length === 0) {
      const li = document.createElement('li'); li.className = 'muted'; li.textContent = 'Nothing needed redacting.'; list.appendChild(li);
      return;
    }
    for (const r of redactions) {
      const li = document.createElement('li');
      const mark = document.createElement('span'); mark.className = 'redaction'; mark.textContent = r.placeholder;
      li.appendChild(mark);
      li.appendChild(document.createTextNode(' ' + r.kind + (r.ruleSet ? ' [' + r.ruleSet + ']' : '') + ' (' + (r.field || 'body') + ' line ' + r.line + ', ' + r.length + ' chars removed)'));
      list.appendChild(li);
    }
  }

  function renderSearch(search) {
    if (!search) {
      $('search').hidden = true;
      const list = $('duplicates');
      while (list.firstChild) list.removeChild(list.firstChild);
      const li = document.createElement('li'); li.className = 'muted'; li.textContent = 'No duplicate search for this draft.'; list.appendChild(li);
      return;
    }
    $('searchEndpoint').textContent = search.endpoint;
    const queries = $('searchQueries');
    while (queries.firstChild) queries.removeChild(queries.firstChild);
    for (const q of search.queries) {
      const li = document.createElement('li');
      const code = document.createElement('code'); code.textContent = q;
      li.appendChild(code);
      queries.appendChild(li);
    }
  }

  // Once a search has run, the checklist may say so (only the unticked box is changed; edits are kept).
  const SEARCHED_BOX = /^- \[ \] I have searched /m;
  function tickSearched() {
    const body = $('body');
    if (!SEARCHED_BOX.test(body.value)) return;
    body.value = body.value.replace(SEARCHED_BOX, '- [x] I have searched ');
    highlight();
    vscode.postMessage({ type: 'edit', ...current() });
  }

  function renderDuplicates(msg) {
    const list = $('duplicates');
    while (list.firstChild) list.removeChild(list.firstChild);
    $('searchButton').disabled = false;
    if (msg.searched) tickSearched();
    if (msg.error) { const li = document.createElement('li'); li.className = 'error'; li.textContent = msg.error; list.appendChild(li); return; }
    if (!msg.items || msg.items.length === 0) { const li = document.createElement('li'); li.className = 'muted'; li.textContent = 'No similar issues found.'; list.appendChild(li); return; }
    for (const d of msg.items) {
      const li = document.createElement('li');
      const a = document.createElement('a'); a.href = d.url; a.textContent = '#' + d.number + ' ' + d.title;
      li.appendChild(a);
      li.appendChild(document.createTextNode(' (' + d.state + (d.comments !== undefined ? ', ' + d.comments + ' comments' : '') + ')'));
      list.appendChild(li);
    }
  }

  function current() { return { title: $('title').value, body: $('body').value }; }

  window.addEventListener('message', (event) => {
    const msg = event.data;
    if (msg.type === 'draft') {
      $('title').value = msg.title;
      $('body').value = msg.body;
      $('repo').textContent = msg.repo;
      redactions = msg.redactions || [];
      renderRedactions();
      renderSearch(msg.search);
      highlight();
    } else if (msg.type === 'redacted') {
      $('title').value = msg.title;
      $('body').value = msg.body;
      redactions = msg.redactions || [];
      renderRedactions();
      highlight();
    } else if (msg.type === 'duplicates') {
      renderDuplicates(msg);
    } else if (msg.type === 'status') {
      $('status').textContent = msg.text;
      $('status').className = 'status ' + (msg.level || '');
      if (msg.url) { const a = document.createElement('a'); a.href = msg.url; a.textContent = ' ' + msg.url; $('status').appendChild(a); }
      $('file').disabled = !!msg.busy;
    }
  });

  $('body').addEventListener('input', () => { highlight(); vscode.postMessage({ type: 'edit', ...current() }); });
  $('title').addEventListener('input', () => vscode.postMessage({ type: 'edit', ...current() }));
  $('file').addEventListener('click', () => vscode.postMessage({ type: 'file', ...current() }));
  $('browser').addEventListener('click', () => vscode.postMessage({ type: 'browser', ...current() }));
  $('copy').addEventListener('click', () => vscode.postMessage({ type: 'copy', ...current() }));
  // The selection in the title or body, marked for redaction: the extension re-runs the gate with it.
  let lastField = $('body');
  $('title').addEventListener('focus', () => { lastField = $('title'); });
  $('body').addEventListener('focus', () => { lastField = $('body'); });
  $('mark').addEventListener('mousedown', (e) => e.preventDefault());
  $('mark').addEventListener('click', () => {
    const f = lastField;
    const text = f.value.slice(f.selectionStart, f.selectionEnd);
    if (text.trim()) vscode.postMessage({ type: 'mark', text, ...current() });
  });
  $('searchButton').addEventListener('click', () => {
    $('searchButton').disabled = true;
    const list = $('duplicates');
    while (list.firstChild) list.removeChild(list.firstChild);
    const li = document.createElement('li'); li.className = 'muted'; li.textContent = 'Searching...'; list.appendChild(li);
    vscode.postMessage({ type: 'search' });
  });
  vscode.postMessage({ type: 'ready' });
})();
