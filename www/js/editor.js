// TinyTorch Lab: the pages' code editor: vendored CodeMirror 6 in the site's theme, with a live syntax check.

import {
  EditorView, EditorState, Compartment, Prec, Decoration, basicSetup, javascript, keymap, indentWithTab,
  linter, lintGutter, setDiagnostics, forEachDiagnostic, HighlightStyle, syntaxHighlighting, tags as t, parse,
} from '../vendor/codemirror.js';

const LINT_DELAY_MS = 400; // check once typing pauses, not on every key
const DESCRIPTION = 'Code editor. Tab indents; press Escape, then Tab, to move focus out of the editor.';
let nextId = 0;

// Token colours live in CSS variables so one HighlightStyle serves both colour schemes; every
// colour keeps ≥ 5:1 contrast on --code-bg and on --fail-bg. The rest are the site's own colours.
const PALETTES = {
  light: { keyword: '#8b1fa9', string: '#116329', number: '#0550ae', fn: '#8a4600', property: '#0b5d7a', type: '#7a5200', regexp: '#a3301a', selection: 'rgb(31 79 209 / .22)', active: 'rgb(31 79 209 / .05)' },
  dark: { keyword: '#d2a8ff', string: '#8ddb8c', number: '#79c0ff', fn: '#ffb86b', property: '#9ed8f0', type: '#f2c14e', regexp: '#ff9e80', selection: 'rgb(122 162 255 / .4)', active: 'rgb(122 162 255 / .07)' },
};
const palette = (dark) => EditorView.theme({
  '&': Object.fromEntries(Object.entries(PALETTES[dark ? 'dark' : 'light']).map(([k, v]) => [`--cm-${k}`, v])),
}, { dark }); // `dark` also picks CodeMirror's dark defaults for panels and tooltips
const darkQuery = globalThis.matchMedia?.('(prefers-color-scheme: dark)');

const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.self], color: 'var(--cm-keyword)' },
  { tag: [t.string, t.special(t.string)], color: 'var(--cm-string)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--cm-number)' },
  { tag: [t.regexp, t.escape], color: 'var(--cm-regexp)' },
  { tag: t.comment, color: 'var(--muted)', fontStyle: 'italic' },
  { tag: [t.function(t.variableName), t.function(t.propertyName), t.function(t.definition(t.variableName))], color: 'var(--cm-fn)' },
  { tag: t.propertyName, color: 'var(--cm-property)' },
  { tag: [t.className, t.typeName, t.namespace], color: 'var(--cm-type)' },
  { tag: t.invalid, color: 'var(--fail)' },
]);

// `&.cm-editor` outranks CodeMirror's own light/dark base rules, which carry an extra class.
const siteTheme = EditorView.theme({
  '&': { color: 'var(--ink)', backgroundColor: 'var(--code-bg)', border: '1px solid var(--line)', borderRadius: '8px', maxWidth: '100%' },
  '&.cm-focused': { outline: '3px solid var(--focus)', outlineOffset: '2px' }, // the site's focus ring
  // 16 to 28 lines tall, then it scrolls; long lines scroll sideways here, never the page.
  '.cm-scroller': { fontFamily: 'var(--mono)', fontSize: '.9rem', lineHeight: 1.5, overflow: 'auto', maxHeight: 'calc(28 * 1.5em + 8px)' },
  '.cm-content, .cm-gutter': { minHeight: 'calc(16 * 1.5em + 8px)' },
  '.cm-content': { caretColor: 'var(--ink)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--ink)' },
  '.cm-gutters': { backgroundColor: 'var(--code-bg)', color: 'var(--muted)', borderRight: '1px solid var(--line)', borderRadius: '8px 0 0 8px' },
  '&.cm-editor .cm-activeLine': { backgroundColor: 'var(--cm-active)' },
  '&.cm-editor .cm-activeLineGutter': { backgroundColor: 'var(--brand-soft)', color: 'var(--ink)' },
  '&.cm-editor.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, &.cm-editor .cm-selectionBackground, .cm-content ::selection': { backgroundColor: 'var(--cm-selection)' },
  '&.cm-editor.cm-focused .cm-matchingBracket': { backgroundColor: 'var(--brand-soft)', outline: '1px solid var(--muted)' },
  '&.cm-editor .cm-errorLine': { backgroundColor: 'var(--fail-bg)' }, // after .cm-activeLine: wins over it
  '.cm-lintRange-error': { backgroundImage: 'none', textDecoration: 'underline wavy var(--fail) 1.5px', textUnderlineOffset: '3px' },
  '.cm-tooltip, .cm-panels': { backgroundColor: 'var(--surface)', color: 'var(--ink)', borderColor: 'var(--line)' },
  '.cm-panels .cm-textfield, .cm-panels .cm-button': { backgroundColor: 'var(--surface)', backgroundImage: 'none', color: 'var(--ink)', border: '1px solid var(--line)', borderRadius: '4px' },
  '&.cm-editor .cm-tooltip-autocomplete ul li[aria-selected]': { backgroundColor: 'var(--brand)', color: 'var(--brand-ink)' },
  '.cm-completionIcon': { display: 'none' }, // emoji glyphs: not every system has the font
  '.cm-tooltip': { borderRadius: '6px', fontFamily: 'var(--font)', fontSize: '.9rem' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--fail)' },
  '&.cm-readonly': { backgroundColor: 'var(--surface-2)' },
  '@media (pointer: coarse)': { '.cm-scroller': { fontSize: '16px' } }, // below 16 px iOS zooms in on focus
});

// The line of each error gets a tinted background, so it shows even when scrolled sideways.
const errorLine = Decoration.line({ class: 'cm-errorLine' });
const errorLines = EditorView.decorations.of((view) => {
  const starts = new Set();
  forEachDiagnostic(view.state, (d, from) => { if (d.severity === 'error') starts.add(view.state.doc.lineAt(from).from); });
  return Decoration.set([...starts].map((pos) => errorLine.range(pos)), true);
});

function acornError(code) {
  try {
    parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
    return null;
  } catch (err) {
    if (err instanceof SyntaxError && err.loc) return err;
    throw err;
  }
}

// acorn writes "(line:column)" with a 0-based column; the lab counts columns from 1 everywhere.
const acornMessage = (err) => `${err.message.replace(/ \(\d+:\d+\)$/, '')} (${err.loc.line}:${err.loc.column + 1})`;

/**
 * Parses `code` as an ES module (what the exercises are) with acorn.
 * @param {string} code
 * @returns {null | { line: number, column: number, message: string }} null when it parses; else
 *   where it stops parsing (1-based line and column) and why, e.g. "Unexpected token (3:14)".
 */
export function syntaxError(code) {
  const err = acornError(code);
  return err && { line: err.loc.line, column: err.loc.column + 1, message: acornMessage(err) };
}

/**
 * Mounts a JavaScript editor at the end of `parent`.
 * @param {HTMLElement} parent
 * @param {{ doc?: string, label?: string, onChange?: (text: string) => void, onRun?: () => void }} [options]
 *   `label` is the accessible name; `onChange` gets the text after each edit; `onRun` is called
 *   on Ctrl+Enter (Cmd+Enter on a Mac).
 * @returns {{ view: EditorView, getValue(): string, setValue(text: string): void, focus(): void,
 *   markError(at: { line: number, column?: number|null, message: string }): void, clearMarks(): void,
 *   setReadOnly(readOnly: boolean): void, destroy(): void }}
 */
export function createEditor(parent, { doc = '', label = 'Code editor', onChange, onRun } = {}) {
  // Marks set by markError (a runtime error, a failed check) are kept until the next edit and
  // merged into every syntax check, which would otherwise replace them.
  let marks = [];
  const syntaxCheck = (view) => {
    const err = acornError(view.state.doc.toString());
    if (!err) return marks;
    const to = Math.min(err.raisedAt, view.state.doc.lineAt(err.pos).to);
    return [{ from: err.pos, to: Math.max(err.pos, to), severity: 'error', message: acornMessage(err) }, ...marks];
  };

  const described = document.createElement('p');
  described.id = `code-editor-help-${++nextId}`;
  described.className = 'visually-hidden';
  described.textContent = DESCRIPTION + (onRun ? ' Ctrl+Enter runs the code.' : '');

  const scheme = new Compartment();
  const readOnly = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        // Before basicSetup: at equal precedence the earlier binding wins, and autocompletion's
        // Escape binding is also at the highest precedence.
        Prec.highest(keymap.of([
          { key: 'Mod-Enter', run: () => (onRun ? (onRun(), true) : false) },
          // CodeMirror arms "Escape, then Tab leaves" only when no binding takes Escape, and
          // autocompletion takes it for a while after typing even with no popup shown, which
          // would trap keyboard users. Arm it here (for 2 s, as CodeMirror does); Escape goes on.
          { key: 'Escape', run: (view) => { view.setTabFocusMode(2000); return false; } },
        ])),
        basicSetup,
        // On a phone-width screen long lines wrap: sideways scrolling inside a 300 px editor
        // hides half of every comment.
        globalThis.matchMedia?.('(max-width: 600px)').matches ? EditorView.lineWrapping : [],
        javascript(),
        keymap.of([indentWithTab]),
        siteTheme,
        scheme.of(palette(!!darkQuery?.matches)),
        syntaxHighlighting(highlight),
        lintGutter(),
        linter(syntaxCheck, { delay: LINT_DELAY_MS }),
        errorLines,
        readOnly.of([]),
        EditorView.contentAttributes.of({ 'aria-label': label, 'aria-describedby': described.id }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          marks = [];
          onChange?.(update.state.doc.toString());
        }),
      ],
    }),
  });
  parent.append(described);
  const followScheme = () => view.dispatch({ effects: scheme.reconfigure(palette(darkQuery.matches)) });
  darkQuery?.addEventListener('change', followScheme);

  return {
    view,
    getValue: () => view.state.doc.toString(),
    /** Replaces the whole text (an undoable edit; onChange fires). */
    setValue(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus: () => view.focus(),
    /** Marks a 1-based line (and column, when given) as an error and scrolls it into view. */
    markError({ line, column = null, message }) {
      const { doc } = view.state;
      const l = doc.line(Math.min(Math.max(1, line | 0), doc.lines));
      let from = l.from, to = l.to; // no column: the whole line
      if (column != null) {
        from = Math.min(l.from + Math.max(0, column - 1), l.to);
        to = view.state.wordAt(from)?.to ?? Math.min(from + 1, l.to);
      }
      marks = [{ from, to, severity: 'error', message }];
      view.dispatch(setDiagnostics(view.state, syntaxCheck(view)), {
        effects: EditorView.scrollIntoView(from, { y: 'center' }),
      });
    },
    /** Removes the marks of markError; a syntax error stays marked while the code does not parse. */
    clearMarks() {
      marks = [];
      view.dispatch(setDiagnostics(view.state, syntaxCheck(view)));
    },
    setReadOnly(on) {
      view.dispatch({ effects: readOnly.reconfigure(on ? [
        EditorState.readOnly.of(true), // still focusable and selectable, so text can be copied
        EditorView.contentAttributes.of({ 'aria-readonly': 'true' }),
        EditorView.editorAttributes.of({ class: 'cm-readonly' }),
      ] : []) });
    },
    destroy() {
      darkQuery?.removeEventListener('change', followScheme);
      view.destroy();
      described.remove();
    },
  };
}
