// Entry of the vendored editor bundle: everything www/js/editor.js imports from CodeMirror 6
// and acorn, re-exported from one module so esbuild can bundle it into www/vendor/codemirror.js
// (scripts/vendor-editor.sh). Add a name here, then rerun the script, when the wrapper needs it.

export { basicSetup } from 'codemirror';
export { EditorState, Compartment, Prec } from '@codemirror/state';
export { EditorView, Decoration, keymap } from '@codemirror/view';
export { indentWithTab } from '@codemirror/commands';
export { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
export { tags } from '@lezer/highlight';
export { javascript } from '@codemirror/lang-javascript';
export { linter, lintGutter, setDiagnostics, forceLinting, forEachDiagnostic } from '@codemirror/lint';
// acorn reports a syntax error with its line and column; the Lezer parser CodeMirror
// highlights with is error-tolerant and does not say what is wrong.
export { parse } from 'acorn';
