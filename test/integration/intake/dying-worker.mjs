// A stand-in for the understanding worker (understanding-thread.test.ts): echoes the text back as a result; "slow"
// is answered only after the next message; "DIE" ends the thread with exit code 3.
import { parentPort } from 'node:worker_threads';

let slow = null;
parentPort.on('message', ({ id, raw }) => {
  const text = new TextDecoder().decode(raw);
  if (text === 'DIE') process.exit(3);
  if (text === 'slow') return void (slow = id);
  parentPort.postMessage({ id, result: { ok: false, reason: 'unparseable', detail: text } });
  if (slow !== null) parentPort.postMessage({ id: slow, result: { ok: false, reason: 'unparseable', detail: 'slow' } });
});
parentPort.postMessage({ ready: true });
