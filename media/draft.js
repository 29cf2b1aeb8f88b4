// @ts-check
// Issue draft view: the title and markdown body are editable; redaction placeholders are listed with their kind and
// rule set and highlighted in a preview; "Redact Selection" sends the text selected in the title or body to the
// extension, which adds it to the marks the exit gate masks; the duplicate search shows its exact queries and runs
// only on its button; candidates are links, each open one with "Add to #N" (the comment is shown, "Post" sends it). Buttons post messages; the extension redacts, then searches, files,
// opens or copies (and when redaction changed the text, it sends the redacted text back here as a 'redacted' message).
/** @typedef {import('../src/extension/webview/protocol').DraftToView} DraftToView */
/** @typedef {import('../src/extension/webview/protocol').DraftFromView} DraftFromView */
/** @typedef {import('../src/extension/webview/protocol').DuplicateSearchInfo} DuplicateSearchInfo */
/** @typedef {Extract<DraftToView, { type: 'duplicates' }>} DuplicatesMessage */
/** @typedef {import('../src/core/report/redact').Redaction} Redaction */
(function () {
  /** @type {VsCodeWebviewApi<DraftFromView, never>} */
  const vscode = acquireVsCodeApi();
  // Numbered placeholders name their kind; the fixed ones (home path "~/", user, host) are looked up in the list.
  const PLACEHOLDER = /\[REDACTED:[\w-]+\]|\[USER\]|\[HOST\]|~(?=[\\/])/g;
  /** @type {Redaction[]} */
  let redactions = [];

  /** @param {string} id */
  function $(id) {
    const node = document.getElementById(id);
    if (!node) throw new Error(`draft view: no #${id}`);
    return node;
  }
  const title = /** @type {HTMLInputElement} */ ($('title'));
  const body = /** @type {HTMLTextAreaElement} */ ($('body'));
  const fileButton = /** @type {HTMLButtonElement} */ ($('file'));
  const searchButton = /** @type {HTMLButtonElement} */ ($('searchButton'));
  const commentPost = /** @type {HTMLButtonElement} */ ($('commentPost'));
  /** The issue whose comment is shown; "Post" names it, the extension sends the text it showed. */
  let commentIssue = 0;

  /** @param {HTMLElement} node */
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }
  /**
   * @param {HTMLElement} list
   * @param {string} className
   * @param {string} text
   */
  function note(list, className, text) {
    const li = document.createElement('li');
    li.className = className;
    li.textContent = text;
    list.appendChild(li);
  }

  /** @param {Redaction} r */
  function ruleSetLabel(r) {
    if (r.kind === 'user-marked') return 'marked by you';
    return r.ruleSet === 'secretlint' ? "secretlint's recommended preset" : r.ruleSet === 'aup-bisect' ? "aup-bisect's own rules" : '';
  }

  /** @param {Redaction | undefined} r */
  function describeRedaction(r) {
    if (!r) return '';
    const set = ruleSetLabel(r);
    return r.kind + (set ? ' (' + set + ')' : '');
  }

  function highlight() {
    const text = title.value + '\n\n' + body.value;
    const preview = $('preview');
    clear(preview);
    let last = 0;
    let count = 0;
    for (const m of text.matchAll(PLACEHOLDER)) {
      const at = m.index ?? 0;
      // A "~" is a placeholder only where the list says a home path was replaced; otherwise it is the user's text.
      const found = redactions.find((r) => r.placeholder === m[0]);
      if (m[0] === '~' && !found) continue;
      preview.appendChild(document.createTextNode(text.slice(last, at)));
      const mark = document.createElement('mark');
      mark.textContent = m[0];
      mark.title = describeRedaction(found) || m[0];
      preview.appendChild(mark);
      // Fixed placeholders do not name their kind: show it beside them.
      if (found && !m[0].startsWith('[REDACTED:')) {
        const kind = document.createElement('span');
        kind.className = 'kind';
        kind.textContent = found.kind;
        preview.appendChild(kind);
      }
      last = at + m[0].length;
      count++;
    }
    preview.appendChild(document.createTextNode(text.slice(last)));
    $('placeholderCount').textContent = count + ' placeholder' + (count === 1 ? '' : 's') + ' in the title and body';
  }

  function renderRedactions() {
    const list = $('redactions');
    clear(list);
    if (redactions.length === 0) {
      note(list, 'muted', 'Nothing needed redacting.');
      return;
    }
    for (const r of redactions) {
      const li = document.createElement('li');
      const mark = document.createElement('span');
      mark.className = 'redaction';
      mark.textContent = r.placeholder;
      li.appendChild(mark);
      const set = ruleSetLabel(r);
      li.appendChild(document.createTextNode(' ' + r.kind + (set ? ', ' + set : '') + ' (' + (r.field || 'body') + ' line ' + r.line + ', ' + r.length + ' chars removed)'));
      list.appendChild(li);
    }
  }

  /** @param {DuplicateSearchInfo | undefined} search */
  function renderSearch(search) {
    if (!search) {
      $('search').hidden = true;
      const list = $('duplicates');
      clear(list);
      note(list, 'muted', 'No duplicate search for this draft.');
      return;
    }
    $('searchEndpoint').textContent = search.endpoint;
    const queries = $('searchQueries');
    clear(queries);
    for (const q of search.queries) {
      const li = document.createElement('li');
      const code = document.createElement('code');
      code.textContent = q;
      li.appendChild(code);
      queries.appendChild(li);
    }
  }

  // Once a search has run, the checklist may say so (only the unticked box is changed; edits are kept).
  const SEARCHED_BOX = /^- \[ \] I have searched /m;
  function tickSearched() {
    if (!SEARCHED_BOX.test(body.value)) return;
    body.value = body.value.replace(SEARCHED_BOX, '- [x] I have searched ');
    highlight();
    vscode.postMessage({ type: 'edit', ...current() });
  }

  /** @param {DuplicatesMessage} msg */
  function renderDuplicates(msg) {
    const list = $('duplicates');
    clear(list);
    searchButton.disabled = false;
    if ('error' in msg) {
      note(list, 'error', msg.error);
      return;
    }
    tickSearched();
    if (msg.items.length === 0) {
      note(list, 'muted', 'No similar issues found.');
      return;
    }
    for (const d of msg.items) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = d.url;
      a.textContent = '#' + d.number + ' ' + d.title;
      li.appendChild(a);
      li.appendChild(document.createTextNode(' (' + d.state + (d.comments !== undefined ? ', ' + d.comments + ' comments' : '') + ')'));
      if (d.addHere) li.appendChild(document.createTextNode(' open umbrella issue for this model and category'));
      if (d.state === 'open') {
        const add = document.createElement('button');
        add.className = d.addHere ? '' : 'secondary';
        add.textContent = 'Add to #' + d.number;
        add.addEventListener('click', () => vscode.postMessage({ type: 'commentPreview', issue: d.number }));
        li.appendChild(document.createTextNode(' '));
        li.appendChild(add);
      }
      list.appendChild(li);
    }
  }

  function current() {
    return { title: title.value, body: body.value };
  }

  window.addEventListener('message', (/** @type {MessageEvent<DraftToView>} */ event) => {
    const msg = event.data;
    switch (msg.type) {
      case 'draft':
        $('repo').textContent = msg.repo;
        renderSearch(msg.search);
      // falls through: the text and the redactions are shown the same way for both
      case 'redacted':
        if (msg.type === 'redacted' && msg.search) renderSearch(msg.search);
        title.value = msg.title;
        body.value = msg.body;
        redactions = msg.redactions;
        renderRedactions();
        highlight();
        return;
      case 'duplicates':
        renderDuplicates(msg);
        return;
      case 'comment':
        commentIssue = msg.issue;
        $('commentHeading').textContent = 'Comment for #' + msg.issue;
        $('commentText').textContent = msg.body;
        commentPost.textContent = 'Post this comment to #' + msg.issue;
        $('comment').hidden = false;
        return;
      case 'status': {
        const status = $('status');
        status.textContent = msg.text;
        status.className = 'status ' + msg.level;
        if (msg.url) {
          const a = document.createElement('a');
          a.href = msg.url;
          a.textContent = ' ' + msg.url;
          status.appendChild(a);
        }
        fileButton.disabled = msg.busy;
        return;
      }
    }
  });

  body.addEventListener('input', () => { highlight(); vscode.postMessage({ type: 'edit', ...current() }); });
  title.addEventListener('input', () => { highlight(); vscode.postMessage({ type: 'edit', ...current() }); });
  fileButton.addEventListener('click', () => vscode.postMessage({ type: 'file', ...current() }));
  $('browser').addEventListener('click', () => vscode.postMessage({ type: 'browser', ...current() }));
  $('copy').addEventListener('click', () => vscode.postMessage({ type: 'copy', ...current() }));
  // "Redact Selection" takes the selection of whichever field had it last; pressing the button must not take the
  // focus (and so the selection) away from that field.
  /** @type {HTMLInputElement | HTMLTextAreaElement} */
  let selectedIn = body;
  title.addEventListener('focus', () => { selectedIn = title; });
  body.addEventListener('focus', () => { selectedIn = body; });
  const redactButton = $('redactSelection');
  redactButton.addEventListener('mousedown', (e) => e.preventDefault());
  redactButton.addEventListener('click', () => {
    const text = selectedIn.value.slice(selectedIn.selectionStart ?? 0, selectedIn.selectionEnd ?? 0);
    vscode.postMessage({ type: 'redactSelection', text, ...current() });
  });
  searchButton.addEventListener('click', () => {
    searchButton.disabled = true;
    const list = $('duplicates');
    clear(list);
    note(list, 'muted', 'Searching...');
    vscode.postMessage({ type: 'search' });
  });
  commentPost.addEventListener('click', () => {
    if (commentIssue > 0) vscode.postMessage({ type: 'commentPost', issue: commentIssue });
  });
  vscode.postMessage({ type: 'ready' });
})();
