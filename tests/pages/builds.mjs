// TinyTorch Lab page tests: the two builds. The facade loads pkg-relaxed/ (SIMD128 + relaxed
// SIMD) where the browser validates relaxed SIMD and pkg/ (SIMD128) otherwise; `?build=` forces
// either path. For each path: the right .wasm (and only it) is fetched, the page and its worker
// report the build, and every suite passes on it.

export async function buildsFlow(browser, base, checks, guard, viewport) {
  for (const build of ['simd', 'relaxed']) {
    const context = await browser.newContext(viewport);
    const g = guard(context, `build-${build}`);
    await g.ready;
    const page = await context.newPage();
    await page.goto(`${base}/index.html?build=${build}`);
    await page.waitForSelector('#cap-build', { timeout: 30_000 });
    const shown = (await page.textContent('#cap-build')).trim();
    const want = build === 'relaxed' ? 'SIMD128 + relaxed' : 'SIMD128';
    checks.ok(`build ${build}: the home page's worker reports "${want}"`, shown === want, shown);
    const result = await page.evaluate(async () => {
      const tt = await import('/www/js/tinytorch.js');
      const caps = await tt.ready();
      const suites = tt.listSuites().map((s) => {
        const r = tt.runSuite(s.name, { seed: 0 });
        return { name: s.name, passed: r.passed, ms: Math.round(r.duration_ms) };
      });
      return { caps, suites, detected: tt.relaxedSimdSupported() };
    });
    checks.ok(`build ${build}: the page loaded it (relaxed SIMD detected: ${result.detected})`,
      result.caps.build === build && result.caps.relaxedSimd === (build === 'relaxed'),
      `kernels ${result.caps.kernels}; available ${result.caps.availableKernels.join(', ')}`);
    const failed = result.suites.filter((s) => !s.passed);
    checks.ok(`build ${build}: every suite passes`, failed.length === 0,
      result.suites.map((s) => `${s.name} ${s.passed ? 'ok' : 'FAIL'} ${s.ms} ms`).join(', '));
    const wasm = new Set(g.requests.map((r) => new URL(r.url).pathname).filter((p) => p.endsWith('.wasm')));
    const dir = build === 'relaxed' ? '/pkg-relaxed/' : '/pkg/';
    checks.ok(`build ${build}: only ${dir}tinytorch_bg.wasm was fetched`, wasm.size === 1 && wasm.has(`${dir}tinytorch_bg.wasm`), [...wasm].join(', '));
    await context.close();
  }
}
