// A bree worker: it only signals. The job runs on the process's own desk (one database connection per process),
// in the main thread; the worker waits until the parent says it ran, then ends, so bree never overlaps a job
// with itself. Plain JavaScript: nothing to compile, no second desk, no second connection.
import { parentPort, workerData } from 'node:worker_threads';

parentPort.on('message', (m) => { if (m === 'ran') parentPort.postMessage('done'); });
parentPort.postMessage({ run: workerData.task });
