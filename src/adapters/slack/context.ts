/**
 * What every Slack listener is given (built once in slack-app.ts), and the shape of one invocation — a slash
 * command, a button, a mention in a case's thread — with the way to answer it.
 */
import type { AppDeps, Actor } from '../../app/deps.ts';
import { commandWords } from '../../app/offers.ts';
import type { Ephemeral } from './blocks/lists.ts';
import type { RoleResolver, SlackRole } from './roles.ts';
import type { SlackConfig } from './slack-transport.ts';

export interface SlackContext {
  deps: AppDeps;
  slack: SlackConfig;
  roles: RoleResolver;
  /** The desk's clock (virtual in tests): every use case gets `now` from here. */
  now(): Date;
}

/** One thing a user asked for. `key` makes its effect happen once (a retry of the same delivery has the same key). */
export interface Invocation {
  user: string;
  channel: string | null;
  /** The case implied by where it was typed (a case's thread), if any. */
  threadCase: string | null;
  key: string;
}

/** How to answer the user: an ephemeral message, or a modal when Slack gave us a fresh trigger_id. */
export interface Responder {
  reply(msg: Ephemeral): Promise<void>;
  /** Opens a modal; false when there is no trigger (a mention in a thread), so the caller offers a button instead. */
  openView(view: object): Promise<boolean>;
}

/** The actor a use case records: the Slack user and the role they act in (the use case checks what it may do). */
export function actorOf(user: string, role: SlackRole): Actor {
  return { id: user, role };
}

/** The `/dpo` words the workflow definitions offer (read once: definitions do not change while the desk runs). */
const wordsCache = new WeakMap<object, ReadonlySet<string>>();
export function eventWordsOf(ctx: SlackContext): ReadonlySet<string> {
  let words = wordsCache.get(ctx.deps.workflows);
  if (!words) {
    words = new Set(commandWords(ctx.deps.workflows).map((w) => w.word));
    wordsCache.set(ctx.deps.workflows, words);
  }
  return words;
}
