/**
 * Customers as data (processor role): add, change, import from YAML, list; link a breach to the customers it
 * affects. Requests that name a customer use the same data (`customersForRequests`), falling back to the
 * PROCESSOR_CONTROLLERS mapping while no customer is stored.
 */
import { parse as parseYaml } from 'yaml';
import { appendAudit } from '../../adapters/db/audit-log.ts';
import { findCaseByNumber } from '../../adapters/db/case-repository.ts';
import { findCustomer, linkCustomer, listCustomers, saveCustomer } from '../../adapters/db/customer-repository.ts';
import type { Executor } from '../../adapters/db/database.ts';
import { customersFromConfig, parseCustomer, type Customer } from '../../domain/breach/customers.ts';
import { customerReminderPlan } from '../../domain/breach/notification-rules.ts';
import { planRows } from '../../adapters/db/reminder-repository.ts';
import type { Config } from '../../config.ts';
import type { Actor, AppDeps, Result } from '../deps.ts';

export type CustomerFields = Partial<Omit<Customer, 'id'>>;

/** Adds new customers; an id that exists is refused (use `set`). All or nothing. */
export async function addCustomers(
  deps: AppDeps,
  inputs: readonly unknown[],
  now: Date,
): Promise<Result<{ customers: Customer[] }>> {
  const parsed: Customer[] = [];
  const errors: string[] = [];
  inputs.forEach((input, i) => {
    const r = parseCustomer(input, inputs.length > 1 ? `customer ${i + 1}: ` : '');
    if (r.ok) parsed.push(r.customer);
    else errors.push(...r.errors);
  });
  const ids = parsed.map((c) => c.id);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (twice.length) errors.push(`listed twice: ${[...new Set(twice)].join(', ')}`);
  if (errors.length) return { ok: false, code: 'CUSTOMER_INVALID', message: errors.join('\n') };
  return deps.database.db.transaction().execute(async (trx) => {
    const existing = [];
    for (const c of parsed) if (await findCustomer(trx, c.id)) existing.push(c.id);
    if (existing.length)
      return {
        ok: false as const,
        code: 'CUSTOMER_EXISTS',
        message: `Already stored: ${existing.join(', ')} (change with dpo-desk customers set <id> …).`,
      };
    for (const c of parsed) await saveCustomer(trx, c, now);
    return { ok: true as const, customers: parsed };
  });
}

/** Changes the given fields of one customer. */
export async function setCustomer(
  deps: AppDeps,
  id: string,
  changes: CustomerFields,
  now: Date,
): Promise<Result<{ customer: Customer }>> {
  return deps.database.db.transaction().execute(async (trx) => {
    const before = await findCustomer(trx, id);
    if (!before)
      return {
        ok: false as const,
        code: 'CUSTOMER_NOT_FOUND',
        message: `No customer ${id} (dpo-desk customers list).`,
      };
    const r = parseCustomer({
      ...before,
      ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
    });
    if (!r.ok) return { ok: false as const, code: 'CUSTOMER_INVALID', message: r.errors.join('\n') };
    await saveCustomer(trx, r.customer, now);
    return { ok: true as const, customer: r.customer };
  });
}

/** A YAML file: a list of customers, or `{ customers: [...] }`. Keys as in `customers add` (camelCase or kebab). */
export function customersFromYaml(text: string): Result<{ inputs: unknown[] }> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    return { ok: false, code: 'YAML_INVALID', message: `Not valid YAML: ${(e as Error).message.split('\n')[0]}` };
  }
  const list = Array.isArray(doc) ? doc : (doc as { customers?: unknown })?.customers;
  if (!Array.isArray(list))
    return { ok: false, code: 'YAML_INVALID', message: 'Expected a list of customers (or customers: [...]).' };
  const camel = (k: string) => k.replace(/[-_]([a-z])/g, (_, x: string) => x.toUpperCase());
  return {
    ok: true,
    inputs: list.map((c) =>
      c && typeof c === 'object' ? Object.fromEntries(Object.entries(c).map(([k, v]) => [camel(k), v])) : c,
    ),
  };
}

/** The customers requests are matched against: stored ones, else the PROCESSOR_CONTROLLERS mapping. */
export async function customersForRequests(db: Executor, config: Pick<Config, 'mail'>): Promise<Customer[]> {
  const stored = await listCustomers(db);
  return stored.length ? stored : customersFromConfig(config.mail.controllers);
}

/** Links a breach to the customers it affects (each then gets its alert, CustomerNotified). */
export async function linkBreachCustomers(
  deps: AppDeps,
  caseNumber: string,
  ids: readonly string[],
  actor: Actor,
  now: Date,
): Promise<Result<{ linked: string[] }>> {
  return deps.database.db.transaction().execute(async (trx) => {
    const c = await findCaseByNumber(trx, caseNumber);
    if (!c || c.kind !== 'breach')
      return { ok: false as const, code: 'CASE_NOT_FOUND', message: `No breach case ${caseNumber}.` };
    if (c.role !== 'processor')
      return {
        ok: false as const,
        code: 'CONTROLLER_ROLE',
        message: 'Customers are linked to breaches in the processor role (ORG_ROLE=processor).',
      };
    const unknown = [];
    for (const id of ids) if (!(await findCustomer(trx, id))) unknown.push(id);
    if (unknown.length)
      return {
        ok: false as const,
        code: 'CUSTOMER_NOT_FOUND',
        message: `No customer ${unknown.join(', ')} (dpo-desk customers list).`,
      };
    const linked = [];
    for (const id of ids) {
      if (!(await linkCustomer(trx, c.id, id, now))) continue;
      linked.push(id);
      const plan = customerReminderPlan(c.awareAt ?? c.receivedAt, id, (await findCustomer(trx, id))!.noticeHours, now);
      await planRows(
        trx,
        plan.map((p) => ({ id: deps.newId(), caseId: c.id, ...p })),
        now,
      );
    }
    if (linked.length)
      await appendAudit(trx, [
        { caseId: c.id, type: 'CustomersLinked', actor: actor.id, at: now, data: { customers: linked } },
      ]);
    return { ok: true as const, linked };
  });
}
