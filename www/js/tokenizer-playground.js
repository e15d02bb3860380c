// TinyTorch Lab, module 10: the tokenizer playground. A text box tokenized as you type by the
// character tokenizer and by a BPE trained on the course corpus (textCorpus(0)), with a
// vocabulary-size slider, the merges in training order, both round trips, and the characters
// the vocabulary does not know highlighted. The work runs in the tools worker (BPE training on
// the corpus takes up to a second), so typing never stutters.

import { h, setChildren, announce } from './dom.js';
import { toolsWorker } from './jobs.js';

const START_TEXT = 'q: what is a tensor? rev:abcd=dcba';
const SHOW_MERGES = 40;

/** A visible stand-in for whitespace inside a token chip. */
function visible(text) {
  return text.replaceAll(' ', '␣').replaceAll('\n', '↵').replaceAll('\t', '⇥');
}

/** A BPE token with its end-of-word marker drawn apart: "cba</w>" → cba + </w>. */
function bpeText(token) {
  if (token.endsWith('</w>')) return [visible(token.slice(0, -4)), h('span', { class: 'eow' }, '</w>')];
  return visible(token);
}

function chip(label, id, { unknown = false, title = '' } = {}) {
  return h('li', { class: `tok${unknown ? ' tok-unk' : ''}`, title: title || null },
    h('span', { class: 'tok-text' }, label), h('span', { class: 'tok-id' }, String(id)));
}

function roundTrip(ok, okText, badText, decoded) {
  return h('p', { class: `roundtrip ${ok ? 'ok' : 'bad'}`, dataset: { ok: String(ok) } },
    h('span', { class: 'badge ' + (ok ? 'badge-pass' : 'badge-partial') }, h('span', { class: 'badge-icon', 'aria-hidden': 'true' }, ok ? '✓' : '≠'), ok ? ' exact' : ' differs'),
    ' ', ok ? okText : badText, ' ',
    h('code', { class: 'decoded' }, JSON.stringify(decoded)));
}

export function mount(root) {
  const text = h('textarea', { id: 'pg-text', class: 'pg-text', rows: 3, spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off' });
  text.value = START_TEXT;
  const slider = h('input', { type: 'range', id: 'pg-vocab', min: 71, max: 400, step: 1, value: 120, 'aria-describedby': 'pg-vocab-help' });
  const sliderOut = h('output', { id: 'pg-vocab-out', for: 'pg-vocab' }, '120');
  const status = h('p', { class: 'progress-text pg-status', id: 'pg-status', role: 'status' }, 'Starting the worker…');
  const echo = h('p', { class: 'pg-echo', id: 'pg-echo' });
  const charCol = h('div', { class: 'pg-col', id: 'pg-chars' });
  const bpeCol = h('div', { class: 'pg-col', id: 'pg-bpe' });
  const merges = h('div', { class: 'pg-merges', id: 'pg-merges' });

  setChildren(root,
    h('h2', { id: 'playground-title' }, 'Tokenizer playground'),
    h('p', {}, 'Type anything. Each character gets an id from the character tokenizer, and a byte-pair encoding trained on the course corpus ',
      h('code', {}, 'textCorpus(0)'), ' splits it into sub-word tokens. Characters the corpus never uses are ',
      h('mark', { class: 'unk-mark' }, 'highlighted'), ': both tokenizers map them to ', h('code', {}, '<UNK>'), ' (id 0).'),
    h('label', { class: 'field-label', for: 'pg-text' }, 'Your text'),
    text,
    h('div', { class: 'pg-controls' },
      h('label', { class: 'field-label', for: 'pg-vocab' }, 'BPE vocabulary size'),
      h('div', { class: 'range-row' }, slider, sliderOut)),
    h('p', { class: 'field-help', id: 'pg-vocab-help' }, 'The smallest vocabulary holds only the starting symbols (every character, and every character that ends a word, marked ',
      h('code', {}, '</w>'), ') plus ', h('code', {}, '<UNK>'), ': no merges. Each step to the right learns one more merge.'),
    status,
    echo,
    h('div', { class: 'pg-grid' }, charCol, bpeCol),
    merges);

  let seq = 0;          // the latest request
  let shown = 0;        // the request whose result is on screen
  let inFlight = false;
  let again = false;
  let timer = null;

  async function update() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    const mine = ++seq;
    const vocabSize = Number(slider.value);
    root.dataset.state = 'working';
    try {
      const r = await toolsWorker.run('tokenize', { text: text.value, vocabSize }, {
        onProgress(msg) {
          if (msg.kind === 'training-bpe') status.textContent = `Training a BPE with ${msg.vocabSize} tokens on the corpus…`;
        },
      });
      if (mine > shown) { shown = mine; render(r); }
      root.dataset.state = 'done';
    } catch (err) {
      status.textContent = '';
      setChildren(charCol, h('p', { class: 'error-box', role: 'alert' }, `The tokenizers failed: ${err.message}`));
      root.dataset.state = 'error';
    } finally {
      inFlight = false;
      if (again) { again = false; update(); }
    }
  }

  function render(r) {
    const { chars, bpe } = r;
    if (Number(slider.min) !== bpe.minVocab) slider.min = String(bpe.minVocab);
    sliderOut.textContent = String(bpe.vocabSize);
    const count = [...text.value].length;
    status.textContent = `Corpus: ${r.corpus.lines.toLocaleString('en')} training lines, ${r.corpus.characters.toLocaleString('en')} characters.`
      + (bpe.trainMs ? ` BPE with ${bpe.vocabSize} tokens trained in ${Math.round(bpe.trainMs)} ms.` : '');

    // The text itself, unknown characters marked.
    const unknown = new Set(chars.unknown);
    setChildren(echo, count ? [...text.value].map((ch) => (unknown.has(ch) ? h('mark', { class: 'unk-mark', title: 'not in the vocabulary: becomes <UNK>' }, visible(ch)) : ch)) : h('span', { class: 'muted' }, '(empty)'));
    echo.hidden = unknown.size === 0;

    setChildren(charCol,
      h('h3', {}, 'Characters'),
      h('p', { class: 'pg-meta' }, `Vocabulary ${chars.vocabSize} (<UNK> + ${chars.vocabSize - 1} characters) · `, h('strong', { id: 'pg-char-count' }, String(chars.tokens.length)), ' tokens'),
      chars.tokens.length ? h('ol', { class: 'tokens', id: 'pg-char-tokens', 'aria-label': 'Character tokens with their ids' },
        chars.tokens.map((t) => chip(visible(t.ch), t.id, { unknown: t.id === 0, title: t.id === 0 ? `“${t.ch}” is not in the vocabulary` : '' }))) : h('p', { class: 'muted' }, 'No text, no tokens.'),
      h('div', { id: 'pg-char-roundtrip' }, roundTrip(chars.roundTrip, 'decode(encode(text)) gives back', 'decode(encode(text)) gives', chars.decoded)),
      unknown.size ? h('p', { class: 'pg-unknown', id: 'pg-unknown' }, h('strong', {}, 'Not in the vocabulary: '),
        [...unknown].map((ch, i) => [i ? ', ' : '', h('mark', { class: 'unk-mark' }, visible(ch))]),
        '. Each becomes id 0, which decodes to ', h('code', {}, '<UNK>'), ', so the round trip cannot be exact.') : null,
      h('details', { class: 'pg-alphabet' }, h('summary', {}, 'The vocabulary'),
        h('p', {}, h('code', {}, '0 <UNK>'), ' ', [...chars.alphabet].map((c, i) => [h('code', {}, `${i + 1} ${visible(c)}`), ' ']))));

    const perToken = bpe.tokens.length ? (count / bpe.tokens.length) : 0;
    setChildren(bpeCol,
      h('h3', {}, 'Byte-pair encoding'),
      h('p', { class: 'pg-meta' }, `Vocabulary ${bpe.vocabSize} (${bpe.merges.length} merges) · `, h('strong', { id: 'pg-bpe-count' }, String(bpe.tokens.length)), ' tokens',
        perToken ? ` · ${perToken.toFixed(2)} characters per token` : ''),
      bpe.tokens.length ? h('ol', { class: 'tokens', id: 'pg-bpe-tokens', 'aria-label': 'BPE tokens with their ids' },
        bpe.tokens.map((t) => chip(bpeText(t.token), t.id, { unknown: t.id === 0, title: t.id === 0 ? 'unknown symbol: <UNK>' : '' }))) : h('p', { class: 'muted' }, 'No text, no tokens.'),
      h('div', { id: 'pg-bpe-roundtrip' }, roundTrip(bpe.roundTrip, 'decode(encode(text)) gives back',
        bpe.roundTripUpToSpace ? 'Same words; whitespace differs (BPE splits on whitespace and decodes each </w> as one space):' : 'decode(encode(text)) gives', bpe.decoded)));

    const list = bpe.merges;
    setChildren(merges,
      h('h3', {}, `The ${list.length} merge${list.length === 1 ? '' : 's'}, in training order`),
      list.length ? h('ol', { class: 'merge-list', id: 'pg-merge-list' }, list.slice(0, SHOW_MERGES).map(([a, b]) =>
        h('li', {}, h('code', {}, bpeText(a)), ' + ', h('code', {}, bpeText(b)), ' → ', h('code', {}, bpeText(a + b)))))
        : h('p', { class: 'muted' }, 'None yet: move the slider to the right.'),
      list.length > SHOW_MERGES ? h('details', {}, h('summary', {}, `Show the other ${list.length - SHOW_MERGES}`),
        h('ol', { class: 'merge-list', start: SHOW_MERGES + 1 }, list.slice(SHOW_MERGES).map(([a, b]) =>
          h('li', {}, h('code', {}, bpeText(a)), ' + ', h('code', {}, bpeText(b)))))) : null,
      h('p', { class: 'field-help' }, 'The first merges come from the task prefixes (rev:, cpy:, srt:) that start thousands of lines; a larger vocabulary learns whole words of the dialogue lines.'));
    announce(`${chars.tokens.length} characters, ${bpe.tokens.length} BPE tokens.`);
  }

  const soon = (ms) => { clearTimeout(timer); timer = setTimeout(update, ms); };
  text.addEventListener('input', () => soon(120));
  slider.addEventListener('input', () => { sliderOut.textContent = slider.value; soon(250); });
  update();
}
