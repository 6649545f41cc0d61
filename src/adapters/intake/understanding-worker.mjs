// Understanding mail in a worker thread (see understanding-thread.ts): parsing a message and matching ~700 keyword
// expressions is pure CPU work of 1–30 ms a message, which on the desk's event loop would hold Slack's acks.
// Plain JavaScript: it registers tsx (the desk's sources are TypeScript), then loads the pure domain function.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';
import { lowerThreadPriority } from '../thread-priority.mjs';

register();
lowerThreadPriority(); // the main thread acks Slack: it goes first when the CPU is short
const { understandMessage } = await import('../../domain/intake/understand-message.ts');

parentPort.on('message', async ({ id, raw, delivery }) => {
  try {
    parentPort.postMessage({ id, result: await understandMessage(raw, workerData.policy, delivery) });
  } catch (e) { // understandMessage never throws; a result that cannot be posted back would
    parentPort.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  }
});
parentPort.postMessage({ ready: true });
