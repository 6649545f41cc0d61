// A background worker thread yields the CPU to the desk's main thread, which acknowledges Slack within its 3 s
// (and, measured, within milliseconds): on Linux a thread has its own nice value, set here on the thread's own id
// (/proc/thread-self). Elsewhere, or where it is not allowed, the thread keeps the process's priority.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Lowers the calling thread's scheduling priority by `by` nice steps (default 10); false where it cannot. */
export function lowerThreadPriority(by = 10) {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, Math.min(19, getPriority(tid) + by));
    return true;
  } catch {
    return false;
  }
}
