/**
 * The event loop's turns, shared by everything in this process (it has one loop, so this state is the process's).
 *
 * Background work — a mail's intake, a sweep pass, the outbox — runs in slices. better-sqlite3 runs statements
 * synchronously and kysely chains them with promises that resolve at once, so without slices a mail's transaction or
 * a sweep pass would never give the loop a turn. And while a person's request waits for its acknowledgement (a
 * `/dpo` command, a button), background work lets that acknowledgement go first: a slice that has run its time waits
 * until no request is waiting (at most MAX_WAIT_MS, so a request that itself needs the database is never stuck behind
 * the work it paused), then one turn more, so pending I/O runs first.
 */
import { performance } from 'node:perf_hooks';

/** Uninterrupted work before a statement gives the loop a turn (milliseconds). */
const SLICE_MS = 2;
const MAX_WAIT_MS = 50;

let sliceStart = 0;
let sliceOpen = false;
let waiting = 0;
let resumes: (() => void)[] = [];

/** A request is waiting for its acknowledgement; call the returned function once it is answered (idempotent). */
export function awaitingAck(): () => void {
  waiting++;
  let answered = false;
  return () => {
    if (answered) return;
    answered = true;
    if (--waiting > 0) return;
    const go = resumes;
    resumes = [];
    for (const resume of go) resume();
  };
}

/** A turn for background work: after every waiting acknowledgement (bounded), then after pending I/O. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    if (waiting === 0) return void setImmediate(resolve);
    let resumed = false;
    const resume = () => {
      if (resumed) return;
      resumed = true;
      clearTimeout(timer);
      setImmediate(resolve);
    };
    const timer = setTimeout(() => { // the bound: leave the list, so a steady stream of requests never grows it
      resumes = resumes.filter((r) => r !== resume);
      resume();
    }, MAX_WAIT_MS);
    resumes.push(resume);
  });
}

/**
 * Before a statement: nothing while the current slice of uninterrupted work is young, else the next turn. Inside a
 * transaction too: the connection stays held, so other statements of this process wait their turn (an async wait);
 * only the event loop moves on.
 */
export function sliceTurn(): Promise<void> | undefined {
  const now = performance.now();
  if (!sliceOpen) {
    sliceOpen = true;
    sliceStart = now;
    setImmediate(() => { sliceOpen = false; }); // runs when the event loop next gets a turn: a new slice begins
    return undefined;
  }
  return now - sliceStart > SLICE_MS ? nextTurn() : undefined;
}
