// The WAL checkpointer: its own connection to the desk's SQLite file, in a worker thread, copying the write-ahead
// log into the database file once a second (PASSIVE: it never waits for, nor blocks, the desk's writer). Plain
// JavaScript: nothing to compile. See checkpointer.ts.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { lowerThreadPriority } from '../thread-priority.mjs';

lowerThreadPriority(); // the main thread acks Slack: it goes first when the CPU is short

const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 5000'); // this thread may wait: nothing else runs on it
const checkpoint = () => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)');
  parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
