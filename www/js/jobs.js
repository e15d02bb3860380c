// TinyTorch Lab: the page side of the worker protocol (see js/worker.js). A WorkerClient
// starts the module worker lazily, sends `{ id, task, args }`, routes progress messages to
// the caller and resolves with the result. A time limit terminates the worker (a runaway
// example cannot hang the tab) and the next request starts a fresh one.

/** The worker script, carrying the page's `?build=simd|relaxed` override (tests force each). */
function workerUrl() {
  const url = new URL('./worker.js', import.meta.url);
  const build = new URLSearchParams(globalThis.location?.search ?? '').get('build');
  if (build) url.searchParams.set('build', build);
  return url;
}

export class WorkerClient {
  constructor(url = workerUrl()) {
    this.url = url;
    this.worker = null;
    this.nextId = 1;
    this.pending = new Map(); // id → { resolve, reject, onProgress, timer }
  }

  start() {
    if (this.worker) return this.worker;
    const worker = new Worker(this.url, { type: 'module', name: 'tinytorch-lab' });
    worker.addEventListener('message', (event) => this.receive(event.data));
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      const message = event.message || 'the worker failed to start (is pkg/ built?)';
      console.error(`TinyTorch worker: ${message}`);
      this.stop(new Error(message));
    });
    this.worker = worker;
    return worker;
  }

  receive(msg) {
    const job = this.pending.get(msg?.id);
    if (!job) return;
    if (msg.type === 'progress') {
      job.onProgress?.(msg);
      return;
    }
    this.pending.delete(msg.id);
    clearTimeout(job.timer);
    if (msg.type === 'result') job.resolve(msg.value);
    else {
      const err = new Error(msg.message);
      err.workerStack = msg.stack;
      job.reject(err);
    }
  }

  /**
   * Runs `task` in the worker. `onProgress(msg)` receives each progress message;
   * `timeoutMs` stops the worker (and every job in it) when exceeded.
   */
  run(task, args = {}, { onProgress, timeoutMs } = {}) {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const job = { resolve, reject, onProgress, timer: null };
      if (timeoutMs) {
        job.timer = setTimeout(() => {
          this.stop(new Error(`stopped after ${+(timeoutMs / 1000).toFixed(1)} s (the time limit); the worker will restart on the next run`));
        }, timeoutMs);
      }
      this.pending.set(id, job);
      worker.postMessage({ id, task, args });
    });
  }

  /** Terminates the worker and rejects every pending job with `reason`. */
  stop(reason = new Error('stopped')) {
    this.worker?.terminate();
    this.worker = null;
    for (const job of this.pending.values()) {
      clearTimeout(job.timer);
      job.reject(reason);
    }
    this.pending.clear();
  }

  get busy() {
    return this.pending.size > 0;
  }
}

/** The worker that runs checks and suites on this page. */
export const checksWorker = new WorkerClient();

/**
 * The worker behind a page's interactive tools (tokenizer playground, attention heat map,
 * milestone training and generation), so they never wait behind a running suite. It holds
 * state between requests (a trained model), which Stop or a time limit discards.
 */
export const toolsWorker = new WorkerClient();
