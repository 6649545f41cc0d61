/**
 * The database: an SQLite file (WAL) by default, PostgreSQL by URL for several instances.
 * `dialect` lets the few statements that differ (row locks) choose their form.
 */
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type KyselyPlugin,
  type SqliteDialectConfig, type Transaction,
} from 'kysely';
import pg from 'pg';
import { acksWaiting, sliceTurn } from '../../event-loop.ts';
import type { DB } from './schema.ts';
import { sharedWriter, WriterDialect } from './writer-thread.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  /** The same database for a person's requests (Slack). On an SQLite file its reads outside a transaction go to a
   * read-only connection and it holds the writer next, before background work (writer-thread.ts); inline, while an
   * acknowledgement is awaited, its statements run at once instead of giving background work a turn first (see
   * src/event-loop.ts). */
  urgent?: Kysely<DB>;
  dialect: Dialect;
  /** An SQLite file's path and its connection's pragmas (checkpointer.ts); absent for PostgreSQL and `:memory:`.
   * On the writer thread a pragma runs in order with the statements and returns a promise. */
  sqlite?: { file: string; pragma(source: string): unknown };
  close(): Promise<void>;
}

/** Either the database or a transaction: repositories take this as their first argument. */
export type Executor = Kysely<DB> | Transaction<DB>;

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

export interface DatabaseOptions {
  /** Sees every statement's SQL (tests count the statements a use case makes). */
  onQuery?: (sql: string) => void;
  /** Sees each SQLite statement's own running time (benchmarks): inline, better-sqlite3 holds the event loop
   * that long; on the writer thread, the writer. */
  onRun?: (sql: string, ms: number) => void;
  /** Where an SQLite file's read-write connection runs: this thread (default) or its own (writer-thread.ts). */
  writer?: 'thread' | 'inline';
}

/** Opens `sqlite:<file>` (`sqlite::memory:` for a throwaway) or `postgres://…`. */
export function openDatabase(url: string, opts: DatabaseOptions = {}): Database {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), opts);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, opts);
  throw new RangeError('DATABASE_URL must start with sqlite: or postgres://');
}

/**
 * Open SQLite files of this process, shared: one read-write connection per file per process. By default it is on
 * this thread (`:memory:` always is: a thread cannot share it): better-sqlite3 is synchronous, so statements take
 * turns with the event loop in slices (src/event-loop.ts) and kysely's connection mutex serialises them. With
 * `writer: 'thread'` it is on a thread of its own (writer-thread.ts): every kysely instance of the file sends it
 * statements, and a person's reads outside a transaction go to a read-only connection. Measured
 * (bench/ack-under-load), each statement then costs ~100 µs of messages, most of it on the event loop: intake went
 * 4–5× slower and acks were later, so it is not the default.
 * Scheduled jobs run on this connection too (see adapters/scheduler). Other processes (a CLI command) wait on the
 * file lock (busy_timeout).
 */
interface OpenFile {
  db: Kysely<DB>;
  urgent: Kysely<DB>;
  pragma(source: string): unknown;
  refs: number;
  close(): Promise<void>;
}
const openFiles = new Map<string, OpenFile>();

const PRAGMAS = [
  'journal_mode = WAL',
  'synchronous = NORMAL',
  'busy_timeout = 5000',
  'foreign_keys = ON',
  'cache_size = -65536', // 64 MiB: the due-row indexes of a large desk stay in memory
  'optimize = 0x10002', // statistics for the planner, as SQLite recommends for long-lived connections
];

/** Statements made through `Database.urgent`: marked on their operation node, which the compiled query keeps. */
const urgentNodes = new WeakSet<object>();
const urgentPlugin: KyselyPlugin = {
  transformQuery: ({ node }) => { urgentNodes.add(node); return node; },
  transformResult: async ({ result }) => result,
};

function openSqlite(file: string, opts: DatabaseOptions): Database {
  const key = file === ':memory:' ? null : resolve(file);
  let entry = key ? openFiles.get(key) : undefined;
  if (!entry) {
    if (key) mkdirSync(dirname(key), { recursive: true });
    entry = key && opts.writer === 'thread' ? threadedFile(key, opts) : inlineFile(key, opts);
    if (key) openFiles.set(key, entry);
  }
  entry.refs++;
  const shared = entry;
  let closed = false;
  return {
    db: shared.db,
    urgent: shared.urgent,
    dialect: 'sqlite',
    ...(key ? { sqlite: { file: key, pragma: (source: string) => shared.pragma(source) } } : {}),
    async close() {
      if (closed) return;
      closed = true;
      if (--shared.refs > 0) return;
      if (key) openFiles.delete(key);
      await shared.close();
    },
  };
}

function threadedFile(file: string, opts: DatabaseOptions): OpenFile {
  const shared = sharedWriter(file, PRAGMAS, opts.onRun);
  const db = new Kysely<DB>({ dialect: new WriterDialect(shared, false), log: logger(opts) });
  const urgent = new Kysely<DB>({ dialect: new WriterDialect(shared, true), log: logger(opts) });
  return {
    db, urgent, refs: 0,
    pragma: (source) => shared.thread.pragma(source),
    async close() {
      await Promise.all([db.destroy(), urgent.destroy()]);
      shared.reader.close();
      await shared.thread.close();
    },
  };
}

function inlineFile(key: string | null, opts: DatabaseOptions): OpenFile {
  const sqlite = new SQLite(key ?? ':memory:');
  for (const p of PRAGMAS) sqlite.pragma(p);
  const dialect = new ImmediateSqliteDialect({ database: preparedOnce(sqlite) }, opts.onRun);
  const db = new Kysely<DB>({ dialect, log: logger(opts) });
  return {
    db, urgent: db.withPlugin(urgentPlugin), refs: 0,
    pragma: (source) => sqlite.pragma(source),
    close: () => db.destroy(),
  };
}

/**
 * The connection as kysely sees it, with each statement text prepared once: kysely prepares every statement it
 * runs, and preparing took a fifth of the event loop's time in a large sweep (bench/ack-under-load profile).
 * Statements run to completion synchronously; one still iterating (a stream) is busy, and its text gets another.
 */
export function preparedOnce(sqlite: SQLite.Database): { close(): void; prepare(sql: string): SQLite.Statement } {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => { statements.clear(); sqlite.close(); },
    prepare(sql: string) {
      let stmt = statements.get(sql);
      if (stmt?.busy) return sqlite.prepare(sql);
      if (!stmt) {
        if (statements.size >= MAX_PREPARED) statements.delete(statements.keys().next().value!);
        stmt = sqlite.prepare(sql);
        statements.set(sql, stmt);
      }
      return stmt;
    },
  };
}

const MAX_PREPARED = 1_000;

/**
 * Write transactions take SQLite's write lock at BEGIN (`BEGIN IMMEDIATE`). With a deferred BEGIN, a transaction
 * that reads and then writes fails at once with SQLITE_BUSY when another connection (another process) committed
 * in between — the busy timeout never applies to that upgrade. Immediate, it waits for the lock at BEGIN instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  constructor(config: SqliteDialectConfig, private readonly onRun?: DatabaseOptions['onRun']) {
    super(config);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    return yielding(await super.acquireConnection(), this.onRun);
  }
}

/**
 * Each statement first lets the event loop have its turn when the current slice is old (see src/event-loop.ts) —
 * except an urgent one while an acknowledgement is awaited: it may be that acknowledgement's own.
 */
function yielding(connection: DatabaseConnection, onRun?: DatabaseOptions['onRun']): DatabaseConnection {
  return {
    async executeQuery(query) {
      if (!(acksWaiting() && urgentNodes.has(query.query))) await sliceTurn();
      if (!onRun) return connection.executeQuery(query);
      const t = performance.now();
      try {
        return await connection.executeQuery(query);
      } finally {
        onRun(query.sql, performance.now() - t);
      }
    },
    streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
  };
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig, private readonly onRun?: DatabaseOptions['onRun']) {
    super(settings);
  }

  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.settings, this.onRun);
  }
}

function openPostgres(url: string, opts: DatabaseOptions): Database {
  // BIGINT instants come back as numbers (epoch milliseconds fit in 2^53), not strings.
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === PG_INT8 || oid === PG_NUMERIC ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format),
  };
  const pool = new pg.Pool({ connectionString: url, types: types as pg.CustomTypesConfig, max: 10 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: logger(opts) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

function logger(opts: DatabaseOptions) {
  const on = opts.onQuery;
  return on ? (e: { level: string; query: { sql: string } }) => { if (e.level === 'query') on(e.query.sql); } : undefined;
}
