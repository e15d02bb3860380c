// TinyTorch Lab: the header and footer every page shares (brand, main navigation, the note
// that everything runs locally). `base` is the path from the page to the repository root.

import { h } from './dom.js';

const LOGO = '<svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">'
  + '<rect width="32" height="32" rx="7" fill="currentColor"/>'
  + '<path d="M9 10h14M16 10v13" stroke="var(--brand-ink, #fff)" stroke-width="3.2" stroke-linecap="round"/>'
  + '<circle cx="23" cy="22" r="2.6" fill="var(--brand-accent, #ffb000)"/></svg>';

export function siteHeader({ current = null, base = '', checks = false } = {}) {
  const link = (href, text, here = false) => h('a', { href: base + href, 'aria-current': here ? 'page' : null }, text);
  return h('header', { class: 'site-header' },
    h('div', { class: 'site-header-inner' },
      h('a', { class: 'brand', href: `${base}index.html` }, h('span', { class: 'brand-logo', html: LOGO }), h('span', {}, 'TinyTorch ', h('span', { class: 'brand-lab' }, 'Lab'))),
      h('nav', { class: 'site-nav', 'aria-label': 'Main' },
        link('index.html#modules', 'Modules', current === 'home'),
        link('index.html#milestones', 'Milestones', current === 'milestone'),
        link('index.html#suites', 'Run all suites'),
        checks ? h('a', { href: '#checks' }, 'Checks') : null)));
}

export function siteFooter() {
  return h('footer', { class: 'site-footer' },
    h('p', {}, 'TinyTorch Lab re-implements the 20-module TinyTorch curriculum (MIT licence) in Rust, compiled to WebAssembly with SIMD. ',
      'Everything runs in your browser: no server work, no network requests beyond this site, progress kept only in this browser.'));
}
