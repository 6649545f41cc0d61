/**
 * An SQLite file's one read-write connection, on a worker thread (writer-worker.mjs), and the kysely driver that
 * sends it statements. The event loop that acknowledges Slack then never runs a write, never waits in SQLite's busy
 * handler and never stalls on the disk: it awaits a message. A transaction holds the writer from its BEGIN IMMEDIATE
 * to its end, as one connection does; the next holder is a person's request (Database.urgent) before background
 * work. A person's reads outside a transaction go to a read-only connection on this thread: WAL readers never wait
 * for the writer, so `/dpo list` does not queue behind a mail's transaction. Not the default (SQLITE_WRITER=thread):
 * a statement's round trip costs ~100 µs of messages, most of it on the event loop (see database.ts).
 */
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery, SelectQueryNode, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type DatabaseConnection,
  type Dialect, type Driver, type Kysely, type QueryResult,
} from 'kysely';

/** The statement's SQL and its own running time on the writer (milliseconds). */
export type OnRun = (sql: string, ms: number) => void;

interface Reply { id: number; result?: unknown; error?: { message: string; code?: string; name?: string }; ms?: number }
interface Raw { rows: Record<string, unknown>[]; changes?: number; lastInsertRowid?: number | bigint }

const WRITER_NICE = 0;

/** The worker and the calls awaiting it. It keeps the process alive only while a call is outstanding. */
export class WriterThread {
  private worker: Worker | null = null;
  private readonly calls = new Map<number, { resolve(r: unknown): void; reject(e: Error): void; sql: string }>();
  private next = 1;
  private readonly settings: string[] = [];
  private closed = false;

  constructor(private readonly file: string, private readonly pragmas: string[], private readonly onRun?: OnRun) {}

  run(sql: string, params: readonly unknown[]): Promise<Raw> {
    return this.call({ sql, params }, sql) as Promise<Raw>;
  }

  /** A pragma on the writer's connection; a setting (`x = y`) is applied again if the worker is ever restarted. */
  pragma(source: string): Promise<unknown> {
    if (source.includes('=')) this.settings.push(source);
    return this.call({ pragma: source }, `pragma ${source}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.worker) await this.call({ close: true }, 'close', true).catch(() => undefined);
  }

  private call(message: object, sql: string, closing = false): Promise<unknown> {
    if (this.closed && !closing) return Promise.reject(new Error('the SQLite writer is closed'));
    const worker = this.started();
    const id = this.next++;
    if (this.calls.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject, sql });
      worker.postMessage({ id, ...message });
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./writer-worker.mjs', import.meta.url), {
      workerData: { file: this.file, pragmas: [...this.pragmas, ...this.settings], nice: WRITER_NICE },
    });
    worker.unref();
    worker.on('message', (m: Reply) => this.answer(m));
    const lost = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null; // the next statement starts a new one; SQLite rolled back what this one had open
      const e = Object.assign(new Error(`the SQLite writer thread stopped: ${why}`), { code: 'SQLITE_IOERR_WRITER' });
      for (const [id, c] of this.calls) { this.calls.delete(id); c.reject(e); }
    };
    worker.on('error', (e) => lost(e.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private answer(m: Reply): void {
    const c = this.calls.get(m.id);
    if (!c) return;
    this.calls.delete(m.id);
    if (this.calls.size === 0) this.worker?.unref();
    if (m.ms !== undefined) this.onRun?.(c.sql, m.ms);
    if (!m.error) return c.resolve(m.result);
    c.reject(Object.assign(new Error(m.error.message), { code: m.error.code, name: m.error.name ?? 'Error' }));
  }
}

/** Who holds the writer (a transaction, or one statement): people's requests are handed it before background work. */
class WriterLock {
  private held = false;
  private readonly queues: [(() => void)[], (() => void)[]] = [[], []];

  async lock(urgent: boolean): Promise<void> {
    if (!this.held) { this.held = true; return; }
    await new Promise<void>((resolve) => this.queues[urgent ? 0 : 1].push(resolve));
  }

  unlock(): void {
    const next = this.queues[0].shift() ?? this.queues[1].shift();
    if (next) next(); else this.held = false;
  }
}

/** What the kysely instances of one file share. */
export interface SharedWriter { thread: WriterThread; lock: WriterLock; reader: Reader }

export function sharedWriter(file: string, pragmas: string[], onRun?: OnRun): SharedWriter {
  return { thread: new WriterThread(file, pragmas, onRun), lock: new WriterLock(), reader: new Reader(file) };
}

/** The read-only connection of this thread, opened once the writer has made the file. */
class Reader {
  private handle: SQLite.Database | null = null;
  private readonly statements = new Map<string, SQLite.Statement>();

  constructor(private readonly file: string) {}

  /** The rows, or null when the connection cannot answer now (busy, or no file yet): the writer answers instead. */
  all(sql: string, params: readonly unknown[]): unknown[] | null {
    try {
      return this.statement(sql).all(params as unknown[]);
    } catch (e) {
      if (/^SQLITE_(BUSY|LOCKED|CANTOPEN)/.test(String((e as { code?: unknown }).code))) return null;
      throw e;
    }
  }

  close(): void {
    this.handle?.close();
    this.handle = null;
  }

  private statement(sql: string): SQLite.Statement {
    let stmt = this.statements.get(sql);
    if (stmt) return stmt;
    if (!this.handle) {
      this.handle = new SQLite(this.file, { readonly: true, fileMustExist: true });
      this.handle.pragma('busy_timeout = 0'); // never waits on this thread
    }
    if (this.statements.size >= 500) this.statements.delete(this.statements.keys().next().value!);
    stmt = this.handle.prepare(sql);
    this.statements.set(sql, stmt);
    return stmt;
  }
}

class WriterConnection implements DatabaseConnection {
  private holding = false;

  constructor(private readonly shared: SharedWriter, private readonly urgent: boolean) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.holding && this.urgent && SelectQueryNode.is(query.query)) {
      const rows = this.read(query);
      if (rows) return { rows: rows as R[] };
    }
    await this.hold();
    const raw = await this.shared.thread.run(query.sql, query.parameters);
    return {
      rows: raw.rows.map(buffers) as R[],
      ...(raw.changes === undefined ? {} : { numAffectedRows: BigInt(raw.changes) }),
      ...(raw.lastInsertRowid === undefined ? {} : { insertId: BigInt(raw.lastInsertRowid) }),
    };
  }

  async hold(): Promise<void> {
    if (this.holding) return;
    await this.shared.lock.lock(this.urgent);
    this.holding = true;
  }

  release(): void {
    if (!this.holding) return;
    this.holding = false;
    this.shared.lock.unlock();
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on the SQLite writer thread');
  }

  /** A read on the read-only connection; null when it cannot answer (the writer answers instead). */
  private read(query: CompiledQuery): unknown[] | null {
    return this.shared.reader.all(query.sql, query.parameters);
  }
}

/** Bytes come back from the worker as Uint8Array; the desk reads them as Buffers (a view, not a copy). */
function buffers(row: Record<string, unknown>): Record<string, unknown> {
  for (const k in row) {
    const v = row[k];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v)) row[k] = Buffer.from(v.buffer, v.byteOffset, v.length);
  }
  return row;
}

class WriterDriver implements Driver {
  constructor(private readonly shared: SharedWriter, private readonly urgent: boolean) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> { return new WriterConnection(this.shared, this.urgent); }
  async beginTransaction(c: DatabaseConnection): Promise<void> {
    await (c as WriterConnection).hold();
    await c.executeQuery(CompiledQuery.raw('begin immediate'));
  }
  async commitTransaction(c: DatabaseConnection): Promise<void> { await c.executeQuery(CompiledQuery.raw('commit')); }
  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(c: DatabaseConnection): Promise<void> { (c as WriterConnection).release(); }
  async destroy(): Promise<void> {}
}

/** SQLite's dialect over the writer thread; `urgent` for a person's requests. */
export class WriterDialect implements Dialect {
  constructor(private readonly shared: SharedWriter, private readonly urgent: boolean) {}
  createDriver(): Driver { return new WriterDriver(this.shared, this.urgent); }
  createQueryCompiler() { return new SqliteQueryCompiler(); }
  createAdapter() { return new SqliteAdapter(); }
  createIntrospector(db: Kysely<unknown>) { return new SqliteIntrospector(db); }
}
