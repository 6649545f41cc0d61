/** Customers (processor role) and which breach affects which customer. Row ↔ domain mapping lives only here. */
import type { Selectable } from 'kysely';
import type { Customer } from '../../domain/breach/customers.ts';
import type { Language } from '../../domain/vocabulary.ts';
import type { Executor } from './database.ts';
import type { CustomersTable } from './schema.ts';

function fromRow(r: Selectable<CustomersTable>): Customer {
  return {
    id: r.id,
    name: r.name,
    domains: JSON.parse(r.domains),
    requestAddress: r.request_address,
    securityAddress: r.security_address,
    language: r.language as Language,
    noticeHours: Number(r.notice_hours),
  };
}

/** Inserts or replaces a customer by id; returns whether it was new. */
export async function saveCustomer(db: Executor, c: Customer, now: Date): Promise<boolean> {
  const values = {
    name: c.name,
    domains: JSON.stringify(c.domains),
    request_address: c.requestAddress,
    security_address: c.securityAddress,
    language: c.language,
    notice_hours: c.noticeHours,
    updated_at: now.getTime(),
  };
  const existing = await findCustomer(db, c.id);
  if (existing) {
    await db.updateTable('customers').set(values).where('id', '=', c.id).execute();
    return false;
  }
  await db
    .insertInto('customers')
    .values({ id: c.id, ...values, created_at: now.getTime() })
    .execute();
  return true;
}

export async function findCustomer(db: Executor, id: string): Promise<Customer | null> {
  const r = await db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : null;
}

export async function listCustomers(db: Executor): Promise<Customer[]> {
  return (await db.selectFrom('customers').selectAll().orderBy('id').execute()).map(fromRow);
}

export interface LinkedCustomer {
  customer: Customer;
  linkedAt: Date;
  alertedAt: Date | null;
}

export async function linkCustomer(db: Executor, caseId: string, customerId: string, now: Date): Promise<boolean> {
  const res = await db
    .insertInto('breach_customers')
    .values({ case_id: caseId, customer_id: customerId, linked_at: now.getTime(), alerted_at: null })
    .onConflict((oc) => oc.columns(['case_id', 'customer_id']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function linkedCustomers(db: Executor, caseId: string): Promise<LinkedCustomer[]> {
  const rows = await db
    .selectFrom('breach_customers')
    .innerJoin('customers', 'customers.id', 'breach_customers.customer_id')
    .selectAll('customers')
    .select(['breach_customers.linked_at', 'breach_customers.alerted_at'])
    .where('breach_customers.case_id', '=', caseId)
    .orderBy('customers.id')
    .execute();
  return rows.map((r) => ({
    customer: fromRow(r),
    linkedAt: new Date(Number(r.linked_at)),
    alertedAt: r.alerted_at === null ? null : new Date(Number(r.alerted_at)),
  }));
}

export async function markAlerted(db: Executor, caseId: string, customerId: string, now: Date): Promise<void> {
  await db
    .updateTable('breach_customers')
    .set({ alerted_at: now.getTime() })
    .where('case_id', '=', caseId)
    .where('customer_id', '=', customerId)
    .where('alerted_at', 'is', null)
    .execute();
}

/** Drops the planned reminders of a customer's alert track (it was alerted). */
export async function dropCustomerReminders(db: Executor, caseId: string, customerId: string): Promise<void> {
  await db
    .deleteFrom('reminders')
    .where('case_id', '=', caseId)
    .where('rule_id', '=', `customer-alert>${customerId}`)
    .where('state', '=', 'planned')
    .execute();
}
