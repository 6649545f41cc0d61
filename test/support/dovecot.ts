/**
 * A private, real Dovecot 2.3 (IMAP + LMTP on loopback) for integration tests, plus small helpers to put mail in
 * (LMTP delivery, IMAP APPEND) and look at it (listMailbox).
 *
 * - `startDovecot()` writes a self-contained config into a fresh temp dir (no /etc/dovecot involved), picks free
 *   ports, starts `dovecot -F` in its own process group with stdio going to a log file, and resolves once the IMAP
 *   `* OK` and LMTP `220` greetings arrive. Any user name logs in with the one fixed password, so each test file can
 *   use its own fresh mailbox user (`freshUser()`); Processed, Quarantine and Sent are auto-created.
 * - global-setup starts one instance for the whole run and provides its endpoint; test files read it with
 *   `dovecotOrSkip()` and use `describe.skipIf(!d)`. A test that needs `restart()` starts its own instance.
 * - Recipe and measurements: shared/research/mail-stack.md. Dovecot 2.4 has a different config dialect: refused here.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, chownSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ImapFlow, type AppendResponseObject, type ImapFlowOptions } from 'imapflow';
import nodemailer from 'nodemailer';
import { inject } from 'vitest';

/** What test workers get (via `provide`/`inject`): enough to connect. `conf` lets a worker run doveadm. */
export interface DovecotEndpoint {
  host: '127.0.0.1';
  imapPort: number;
  lmtpPort: number;
  password: string;
  /** Path of the generated dovecot.conf (for doveadm, e.g. `setUidValidityVia`). */
  conf: string;
}

export interface DovecotServer extends DovecotEndpoint {
  dir: string;
  /** Kill the whole process group: SIGTERM, then SIGKILL if anything is still alive after 5 s. Idempotent. */
  stop(): Promise<void>;
  /** stop() + start again on the same ports and dir; mail and UIDVALIDITY are kept. */
  restart(): Promise<void>;
  setUidValidity(user: string, mailbox: string, n: number): Promise<void>;
}

/** Mailboxes that exist for every user (auto-created by Dovecot). */
export const AUTO_MAILBOXES = ['Processed', 'Quarantine', 'Sent'] as const;

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
const KILL_WAIT_MS = 2_000;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function searchPath(name: string, extra: string[]): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extra];
  for (const d of dirs) {
    const p = join(d, name);
    if (isExecutable(p)) return p;
  }
  return null;
}

/** The dovecot master binary (`$DOVECOT_BIN`, /usr/sbin, /usr/local/sbin, then PATH), or null if not installed. */
export function findDovecotBinary(): string | null {
  const fromEnv = process.env.DOVECOT_BIN;
  if (fromEnv) return isExecutable(fromEnv) ? fromEnv : null;
  for (const p of ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot']) if (isExecutable(p)) return p;
  return searchPath('dovecot', []);
}

function findDoveadm(dovecotBin: string | null): string {
  const beside = dovecotBin ? [dirname(dovecotBin), join(dirname(dovecotBin), '..', 'bin')] : [];
  const found = searchPath('doveadm', [...beside, '/usr/bin', '/usr/local/bin']);
  if (!found) throw new Error('doveadm not found (it ships with dovecot-core)');
  return found;
}

function run(bin: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** A free loopback port (the kernel picks it; tiny race between close and Dovecot binding it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A fresh mailbox user name such as `t-3f9a1c2b7d4e@example.com`: with the static passdb every name logs in. */
export function freshUser(prefix = 't'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}@example.com`;
}

interface Account { user: string; group: string; uid: number; gid: number }

function mailAccount(): Account {
  const root = process.getuid?.() === 0;
  if (root) return { user: 'nobody', group: 'nogroup', uid: 65534, gid: 65534 };
  const info = userInfo();
  const gid = process.getgid?.() ?? info.gid;
  let group = String(gid);
  try {
    const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[2] === String(gid));
    if (line) group = line.split(':')[0]!;
  } catch { /* keep the number */ }
  return { user: info.username, group, uid: info.uid, gid };
}

function dovecotConf(o: { dir: string; imapPort: number; lmtpPort: number; password: string; account: Account }): string {
  const { dir, imapPort, lmtpPort, password, account } = o;
  return `# generated by test/support/dovecot.ts - Dovecot 2.3, loopback only, no TLS, no system config
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
mail_location = maildir:~/Maildir
default_login_user = ${account.user}
default_internal_user = ${account.user}
default_internal_group = ${account.group}
auth_failure_delay = 0

# any user name, one fixed password: every test file can use its own fresh mailbox
passdb {
  driver = static
  args = password=${password}
}
userdb {
  driver = static
  args = uid=${account.user} gid=${account.group} home=${dir}/mail/%u
}

namespace inbox {
  inbox = yes
  mailbox Processed {
    auto = create
  }
  mailbox Quarantine {
    auto = create
  }
  mailbox Sent {
    auto = create
    special_use = \\Sent
  }
}

protocol imap {
  mail_max_userip_connections = 100
}

service imap-login {
  chroot =
  inet_listener imap {
    port = ${imapPort}
  }
}
service lmtp {
  inet_listener lmtp {
    port = ${lmtpPort}
  }
}
service anvil {
  chroot =
  # no per-IP auth penalty: wrong-password tests stay fast
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
}

/** Reads the first line a server sends on connect; null on any failure (refused, reset, timeout). */
function greeting(port: number, timeoutMs = 500): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (v: string | null) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(timeoutMs, () => done(null));
    sock.on('error', () => done(null));
    sock.on('close', () => done(null));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl).trim());
    });
  });
}

async function waitForGreeting(port: number, prefix: string, deadline: number, died: () => string | null): Promise<void> {
  for (;;) {
    const why = died();
    if (why) throw new Error(why);
    const line = await greeting(port);
    if (line?.startsWith(prefix)) return;
    if (Date.now() > deadline) throw new Error(`no "${prefix}" greeting on 127.0.0.1:${port} within ${READY_TIMEOUT_MS} ms (last: ${JSON.stringify(line)})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Live (non-zombie) processes whose process group is `pgid`; falls back to kill(-pgid, 0) without /proc. */
function groupAlive(pgid: number): boolean {
  if (existsSync('/proc/self/stat')) {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      } catch {
        continue;
      }
      // pid (comm) state ppid pgrp ...   - comm may contain spaces and parens
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
    }
    return false;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGroupGone(pgid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch { /* already gone */ }
}

/** `doveadm -c CONF mailbox update -u USER --uid-validity N MAILBOX` (works from any process that can read CONF). */
export async function setUidValidityVia(conf: string, user: string, mailbox: string, n: number): Promise<void> {
  if (!Number.isInteger(n) || n <= 0 || n > 0xffffffff) throw new Error(`UIDVALIDITY must be a 32-bit positive integer, got ${n}`);
  await run(findDoveadm(findDovecotBinary()), ['-c', conf, 'mailbox', 'update', '-u', user, '--uid-validity', String(n), mailbox]);
}

/**
 * Starts a private Dovecot in a fresh temp dir on free loopback ports. Throws if Dovecot is not installed, is not
 * 2.3, or does not greet within ~10 s (the error carries the tail of its log).
 */
export async function startDovecot(): Promise<DovecotServer> {
  const bin = findDovecotBinary();
  if (!bin) throw new Error('Dovecot is not installed (apt-get install -y --no-install-recommends dovecot-imapd dovecot-lmtpd)');
  const version = (await run(bin, ['--version'])).trim();
  if (!version.startsWith('2.3.')) throw new Error(`Dovecot ${version} found, but this harness writes a Dovecot 2.3 config`);

  const account = mailAccount();
  const dir = mkdtempSync(join(tmpdir(), 'dpo-desk-dovecot-'));
  chmodSync(dir, 0o755); // mail processes (nobody when root) must reach dir/mail
  mkdirSync(join(dir, 'mail'));
  if (process.getuid?.() === 0) chownSync(join(dir, 'mail'), account.uid, account.gid);
  const password = randomBytes(9).toString('base64url');
  const [imapPort, lmtpPort] = await Promise.all([freePort(), freePort()]);
  if (imapPort === lmtpPort) throw new Error('freePort returned the same port twice');
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, dovecotConf({ dir, imapPort, lmtpPort, password, account }), { mode: 0o644 });
  const stdioLog = join(dir, 'dovecot.stdio.log');
  const logs = () => [tail(stdioLog), tail(join(dir, 'dovecot.log'))].filter(Boolean).join('\n');

  let child: ChildProcess | null = null;
  let exitInfo: string | null = null;
  const onProcessExit = () => {
    if (child?.pid) signalGroup(child.pid, 'SIGKILL'); // the test process dies without stop(): leave nothing behind
  };

  async function start(): Promise<void> {
    const fd = openSync(stdioLog, 'a');
    try {
      // detached: own session and process group (pgid = master pid), so stop() reaches every Dovecot child
      child = spawn(bin!, ['-F', '-c', conf], { stdio: ['ignore', fd, fd], detached: true });
    } finally {
      closeSync(fd);
    }
    const c = child;
    exitInfo = null;
    c.once('exit', (code, signal) => {
      exitInfo = `dovecot exited (code ${code}, signal ${signal})`;
    });
    c.once('error', (e) => {
      exitInfo = `dovecot could not be started: ${e.message}`;
    });
    process.once('exit', onProcessExit);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const died = () => (exitInfo ? `${exitInfo} during startup` : null);
    try {
      await Promise.all([waitForGreeting(imapPort, '* OK', deadline, died), waitForGreeting(lmtpPort, '220', deadline, died)]);
    } catch (e) {
      await stop();
      throw new Error(`Dovecot did not start: ${(e as Error).message}\n--- log (${dir}) ---\n${logs()}`);
    }
  }

  async function stop(): Promise<void> {
    const c = child;
    if (!c) return;
    child = null;
    process.off('exit', onProcessExit);
    const pgid = c.pid;
    if (pgid === undefined) return;
    const exited = c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r()));
    signalGroup(pgid, 'SIGTERM');
    if (!(await waitGroupGone(pgid, STOP_GRACE_MS))) {
      signalGroup(pgid, 'SIGKILL');
      if (!(await waitGroupGone(pgid, KILL_WAIT_MS))) throw new Error(`Dovecot process group ${pgid} survived SIGKILL`);
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, KILL_WAIT_MS))]);
  }

  await start();
  return {
    host: '127.0.0.1', imapPort, lmtpPort, password, dir, conf,
    stop,
    async restart() {
      await stop();
      await start();
    },
    setUidValidity: (user, mailbox, n) => setUidValidityVia(conf, user, mailbox, n),
  };
}

/**
 * In a test file: the run's shared Dovecot endpoint, or null when Dovecot is not installed (global-setup then
 * warned loudly; with CI=true it fails the run instead). Use `describe.skipIf(!d)`.
 */
export function dovecotOrSkip(): DovecotEndpoint | null {
  return inject('dovecot');
}

type Endpoint = Pick<DovecotEndpoint, 'host' | 'imapPort' | 'lmtpPort' | 'password'>;

/** imapflow options for `user` on this server (no TLS, logger off, auto-IDLE off). */
export function imapOptions(server: Endpoint, user: string): ImapFlowOptions {
  return {
    host: server.host, port: server.imapPort, secure: false, auth: { user, pass: server.password },
    logger: false, disableAutoIdle: true,
  };
}

async function withImap<T>(server: Endpoint, user: string, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow(imapOptions(server, user));
  client.on('error', () => {}); // a server-side close must not become an unhandled 'error'
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Delivers `raw` to `to` over LMTP (the realistic path: Dovecot adds Return-Path, Delivered-To, Received). */
export async function deliverLmtp(server: Endpoint, to: string, raw: Buffer | string, from = 'sender@example.org'): Promise<void> {
  const transport = nodemailer.createTransport({ host: server.host, port: server.lmtpPort, lmtp: true, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail({ envelope: { from, to: [to] }, raw });
    if (info.rejected.length > 0) throw new Error(`LMTP rejected ${JSON.stringify(info.rejected)}: ${info.response}`);
  } finally {
    transport.close();
  }
}

/** APPENDs `raw` to `mailbox` of `user` (seeding: no Received headers; choose flags, e.g. ['\\Seen']). */
export async function appendImap(
  server: Endpoint, user: string, raw: Buffer | string, mailbox = 'INBOX', flags?: string[],
): Promise<AppendResponseObject> {
  return withImap(server, user, async (client) => {
    const res = await client.append(mailbox, raw, flags);
    if (!res) throw new Error(`APPEND to ${mailbox} of ${user} failed`);
    return res;
  });
}

/** Every message in `mailbox` of `user`, by UID. */
export async function listMailbox(server: Endpoint, user: string, mailbox: string): Promise<{ uid: number; messageId: string | null; subject: string }[]> {
  return withImap(server, user, async (client) => {
    const opened = await client.mailboxOpen(mailbox, { readOnly: true });
    if (opened.exists === 0) return [];
    const msgs = await client.fetchAll('1:*', { uid: true, envelope: true });
    return msgs
      .map((m) => ({ uid: m.uid, messageId: m.envelope?.messageId ?? null, subject: m.envelope?.subject ?? '' }))
      .sort((a, b) => a.uid - b.uid);
  });
}
