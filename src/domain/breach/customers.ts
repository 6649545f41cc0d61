/**
 * A processor's customers as data (the controllers it serves): name, domains, the address requests are forwarded
 * to, the security-notification address incidents are alerted at, language, contractual notice hours (default 72,
 * the DPA's "where feasible, within 72 hours"). Pure: validation and which customer a request names.
 */
import { z } from 'zod';
import { LANGUAGES } from '../vocabulary.ts';

const email = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, 'expected an e-mail address');
const domainOrAddress = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^([^\s@<>]+@)?[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'expected a domain (example.com) or an address');

export const customerSchema = z.object({
  id: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a short id: lower-case letters, digits, dashes'),
  name: z.string().trim().min(1, "expected the customer's name"),
  domains: z.array(domainOrAddress).default([]),
  requestAddress: email.nullable().default(null),
  securityAddress: email.nullable().default(null),
  language: z.enum(LANGUAGES, { error: `expected one of ${LANGUAGES.join(', ')}` }).default('en'),
  noticeHours: z.number().int().min(1, 'expected hours, 1–720').max(720, 'expected hours, 1–720').default(72),
});
export type Customer = z.infer<typeof customerSchema>;
export type CustomerInput = z.input<typeof customerSchema>;

export type Parsed = { ok: true; customer: Customer } | { ok: false; errors: string[] };

export function parseCustomer(input: unknown, where = ''): Parsed {
  const r = customerSchema.safeParse(input);
  if (r.success) return { ok: true, customer: r.data };
  return { ok: false, errors: r.error.issues.map((i) => `${where}${i.path.join('.') || '(customer)'}: ${i.message}`) };
}

/** Where an incident alert goes: the security address, else the request address (the account's admin contact). */
export function alertAddress(c: Customer): string | null {
  return c.securityAddress ?? c.requestAddress;
}

/** The customer a request names: by the sender's domain or address, or its domain named in the text. */
export function customerNamed(customers: readonly Customer[], sender: string, text: string): Customer | null {
  const from = sender.toLowerCase();
  const body = text.toLowerCase();
  for (const c of customers) {
    for (const d of c.domains) {
      const named = d.includes('@') ? from === d : from.endsWith(`@${d}`) || from.endsWith(`.${d}`);
      if (named || body.includes(d)) return c;
    }
  }
  return null;
}

/** The legacy `PROCESSOR_CONTROLLERS` map as customers (used when no customer is stored). */
export function customersFromConfig(controllers: Record<string, string>): Customer[] {
  return Object.entries(controllers).map(([key, address]) => ({
    id:
      key
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 63) || 'customer',
    name: key,
    domains: [key],
    requestAddress: address,
    securityAddress: null,
    language: 'en' as const,
    noticeHours: 72,
  }));
}
