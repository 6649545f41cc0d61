/**
 * The running desk understands mail on a worker thread (adapters/intake/understanding-thread.ts): it must read every
 * message of the fixture corpus exactly as the in-process function does, in any order of replies, and a thread that
 * dies must fail the calls it held (so the intake retries them) and be replaced by the next call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  startUnderstandingThread, type UnderstandingThread,
} from '../../../src/adapters/intake/understanding-thread.ts';
import { createLogger } from '../../../src/logger.ts';
import { understandMessage } from '../../../src/domain/intake/understand-message.ts';
import { DELIVERED_AT, corpusPolicy, fixtureNames, readFixture } from '../../unit/intake/intake-fixtures.ts';

let thread: UnderstandingThread | null = null;
afterEach(async () => { await thread?.stop(); thread = null; });

describe('understanding on a worker thread', () => {
  it('reads every corpus message exactly as in-process, with many in flight at once', async () => {
    const policy = corpusPolicy();
    thread = startUnderstandingThread(policy, createLogger('silent'));
    const names = fixtureNames();
    const onThread = await Promise.all(names.map((n) => thread!.understand(readFixture(n), DELIVERED_AT)));
    for (const [i, name] of names.entries()) {
      expect(onThread[i], name).toEqual(await understandMessage(readFixture(name), policy, DELIVERED_AT));
    }
    expect(names.length).toBeGreaterThanOrEqual(64);
  });

  it('a thread that dies fails the calls it held, and the next call starts a new one', async () => {
    const warnings: string[] = [];
    const log = createLogger('silent');
    log.warn = ((_: unknown, msg: string) => { warnings.push(msg); }) as typeof log.warn;
    // A stand-in worker speaking the same messages: it answers, except that a message saying DIE ends the thread.
    const script = new URL('./dying-worker.mjs', import.meta.url);
    thread = startUnderstandingThread(corpusPolicy(), log, { script });
    const bytes = (s: string) => new TextEncoder().encode(s);
    const hello = thread.understand(bytes('hello'), DELIVERED_AT);
    await expect(hello).resolves.toMatchObject({ ok: false, detail: 'hello' });
    const held = thread.understand(bytes('slow'), DELIVERED_AT); // answered only after the next message: held
    const dying = thread.understand(bytes('DIE'), DELIVERED_AT);
    await expect(held).rejects.toThrow('the understanding thread stopped: exit code 3');
    await expect(dying).rejects.toThrow('the understanding thread stopped: exit code 3');
    expect(warnings).toEqual(['understanding thread stopped; the next mail starts one']);
    await expect(thread.understand(bytes('again'), DELIVERED_AT)).resolves.toMatchObject({ detail: 'again' });
  });

  it('a thread that cannot start is no fault of the mail: held and later calls are understood in-process', async () => {
    const warnings: string[] = [];
    const log = createLogger('silent');
    log.warn = ((_: unknown, msg: string) => { warnings.push(msg); }) as typeof log.warn;
    const policy = corpusPolicy();
    thread = startUnderstandingThread(policy, log, { script: new URL('./broken-worker.mjs', import.meta.url) });
    const [a, b] = fixtureNames();
    const held = await thread.understand(readFixture(a!), DELIVERED_AT);
    expect(held).toEqual(await understandMessage(readFixture(a!), policy, DELIVERED_AT));
    expect(await thread.understand(readFixture(b!), DELIVERED_AT))
      .toEqual(await understandMessage(readFixture(b!), policy, DELIVERED_AT));
    expect(warnings).toEqual(['understanding thread could not start; mail is understood on the main thread']);
  });
});
