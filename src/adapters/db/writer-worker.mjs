// The desk's one read-write connection to its SQLite file, on a worker thread: the statements of intake, the sweep,
// the outbox and a person's changes run here, one at a time in arrival order, so the event loop that acknowledges
// Slack never runs a write, waits for a lock or stalls on the disk. Plain JavaScript: nothing to compile. See
// writer-thread.ts, which sends the statements and keeps their order.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import { lowerThreadPriority } from '../thread-priority.mjs';

lowerThreadPriority(workerData.nice); // a little below the main thread: acks first when the CPU is short

const db = new SQLite(workerData.file);
for (const p of workerData.pragmas) db.pragma(p);

// Prepared once per text: the desk repeats a few hundred statements (SQLite re-prepares after a schema change).
const MAX_STATEMENTS = 1_000;
const statements = new Map();
function prepared(sql) {
  let stmt = statements.get(sql);
  if (!stmt) {
    if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value);
    stmt = db.prepare(sql);
    statements.set(sql, stmt);
  }
  return stmt;
}

// Bytes arrive as Uint8Array (structured clone); better-sqlite3 binds Buffers. A view, not a copy.
const bindable = (v) =>
  (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.length) : v);

function run({ sql, params }) {
  const stmt = prepared(sql);
  const values = params.map(bindable);
  if (stmt.reader) return { rows: stmt.all(values) };
  const { changes, lastInsertRowid } = stmt.run(values);
  return { rows: [], changes, lastInsertRowid };
}

parentPort.on('message', (m) => {
  const t = performance.now();
  try {
    if (m.close) {
      db.close();
      parentPort.postMessage({ id: m.id, result: null });
      parentPort.close();
      return;
    }
    const result = m.pragma !== undefined ? db.pragma(m.pragma) : run(m);
    parentPort.postMessage({ id: m.id, result, ms: performance.now() - t });
  } catch (e) {
    const error = { message: e?.message ?? String(e), code: e?.code, name: e?.name };
    parentPort.postMessage({ id: m.id, error, ms: performance.now() - t });
  }
});
