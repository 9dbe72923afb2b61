// The worker-thread entry of `check -j N`: checks one capture per task message and replies with
// its report. It is loaded from dist/ (Node 20 cannot run TypeScript), by pool.ts.
import { parentPort } from 'node:worker_threads';
import { checkCapture } from '../check/check-capture.js';
import type { CheckTask, WorkerReply } from './messages.js';

if (parentPort === null) throw new Error('check-worker.js is a worker thread entry; it is started by the check pool');
const port = parentPort;

port.on('message', (task: CheckTask) => {
  checkCapture(task.input, task.options).then(
    (report) => port.postMessage({ kind: 'report', index: task.index, report } satisfies WorkerReply),
    (err: unknown) =>
      port.postMessage({
        kind: 'failed',
        index: task.index,
        message: err instanceof Error ? err.message : String(err),
      } satisfies WorkerReply),
  );
});
