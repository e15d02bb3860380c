// `make test-quick`, the browser half: the course home's "Quick check" (every suite in quick
// mode, in the lab's worker, in headless chromium) must pass; it prints the time of the quick
// run and of a full "Run all suites" beside it (figures, not assertions: times are measured by
// benchmarks, never asserted by tests).
//   node tests/pages/quick.mjs

import { chromium, CHROMIUM_ARGS, startServer } from './lib.mjs';

async function run(page, button) {
  const t0 = Date.now();
  await page.click(button);
  await page.waitForSelector('#suites[data-state="running"]', { timeout: 5_000 }).catch(() => {});
  await page.waitForSelector('#suites[data-state="done"], #suites[data-state="error"]', { timeout: 300_000 });
  const ms = Date.now() - t0;
  const suites = await page.$$eval('#suite-results .suite', (els) => els.map((e) => ({ name: e.dataset.suite, state: e.dataset.state })));
  return { ms, suites };
}

async function main() {
  const server = await startServer();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.base}/index.html`);
    await page.waitForSelector('#capabilities[data-simd]', { timeout: 30_000 });
    // A warm-up (the worker's first wasm instantiation), then the quick and the full run.
    await run(page, '#quick-check');
    const quick = await run(page, '#quick-check');
    const full = await run(page, '#run-all');
    const failed = quick.suites.filter((s) => s.state !== 'pass');
    console.log(`quick check in headless chromium: ${quick.suites.length} suites in ${(quick.ms / 1000).toFixed(2)} s; full run ${(full.ms / 1000).toFixed(2)} s (quick = ${(100 * quick.ms / full.ms).toFixed(0)} % of full)`);
    if (failed.length) {
      console.log(`FAILED in quick mode: ${failed.map((s) => s.name).join(', ')}`);
      return false;
    }
    console.log(`all ${quick.suites.length} suites pass in quick mode`);
    return true;
  } finally {
    await browser.close();
    server.stop();
  }
}

main().then((ok) => process.exit(ok ? 0 : 1), (err) => { console.error(err); process.exit(1); });
