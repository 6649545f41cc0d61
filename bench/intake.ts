/**
 * `npm run bench -- intake`: how well the intake understands the whole fixture corpus (test/fixtures/mail/, each
 * message beside its expected outcome). Prints the share right on kind, auto-class and request types, precision
 * and recall per class and per request type, and the confusion tables. The baseline, measured in the same run, is
 * the majority guess (every message the most frequent class): the report's ratio is how far above it the intake is.
 */
import { understandMessage } from '../src/domain/intake/understand-message.ts';
import { REQUEST_TYPES } from '../src/domain/vocabulary.ts';
import {
  DELIVERED_AT, corpusPolicy, fixtureNames, fixtureOutcome, readExpected, readFixture,
} from '../test/unit/intake/intake-fixtures.ts';
import { fixed, table } from './lib.ts';

interface Row { name: string; expected: Outcome; got: Outcome }
interface Outcome { kind: string; auto: string; types: string[]; action: string; reason: string }

function outcome(o: Record<string, unknown>): Outcome {
  return {
    kind: String(o.kind ?? 'none'), auto: String(o.auto ?? 'none'),
    types: [...((o.request_types as string[]) ?? [])].sort(),
    action: String(o.action), reason: String(o.reason ?? '-'),
  };
}

const pct = (n: number, d: number) => (d === 0 ? '—' : `${fixed((100 * n) / d, 1)}%`);
const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Precision and recall per label of a single-label field. */
function perLabel(rows: Row[], field: 'kind' | 'auto'): string[][] {
  const labels = [...new Set(rows.flatMap((r) => [r.expected[field], r.got[field]]))].sort();
  return [['', 'expected', 'precision', 'recall'], ...labels.map((l) => {
    const tp = rows.filter((r) => r.expected[field] === l && r.got[field] === l).length;
    const predicted = rows.filter((r) => r.got[field] === l).length;
    const actual = rows.filter((r) => r.expected[field] === l).length;
    return [l, String(actual), pct(tp, predicted), pct(tp, actual)];
  })];
}

function confusion(rows: Row[], field: 'kind' | 'auto'): string[][] {
  const labels = [...new Set(rows.flatMap((r) => [r.expected[field], r.got[field]]))].sort();
  return [['expected \\ got', ...labels], ...labels.map((e) => [e, ...labels.map((g) => {
    const n = rows.filter((r) => r.expected[field] === e && r.got[field] === g).length;
    return n === 0 ? '.' : String(n);
  })])];
}

function perType(rows: Row[]): string[][] {
  return [['', 'expected', 'precision', 'recall'], ...REQUEST_TYPES.map((t) => {
    const tp = rows.filter((r) => r.expected.types.includes(t) && r.got.types.includes(t)).length;
    const predicted = rows.filter((r) => r.got.types.includes(t)).length;
    const actual = rows.filter((r) => r.expected.types.includes(t)).length;
    return [t, String(actual), pct(tp, predicted), pct(tp, actual)];
  })];
}

/** Share right when every message is guessed as the most frequent value of the field. */
function majority(rows: Row[], key: (o: Outcome) => string): number {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(key(r.expected), (counts.get(key(r.expected)) ?? 0) + 1);
  return Math.max(...counts.values()) / rows.length;
}

export async function run(): Promise<void> {
  const rows: Row[] = [];
  for (const name of fixtureNames()) {
    const got = fixtureOutcome(await understandMessage(readFixture(name), corpusPolicy(), DELIVERED_AT));
    rows.push({ name, expected: outcome(readExpected(name) as Record<string, unknown>), got: outcome(got) });
  }
  const n = rows.length;
  const right = (f: (r: Row) => boolean) => rows.filter(f).length;
  const kind = right((r) => r.expected.kind === r.got.kind);
  const auto = right((r) => r.expected.auto === r.got.auto);
  const types = right((r) => same(r.expected.types, r.got.types));
  const decision = right((r) => r.expected.action === r.got.action && r.expected.reason === r.got.reason);
  const ratio = (share: number, base: number) => `${fixed(share / base, 2)}× the majority guess (${pct(base * n, n)})`;
  console.log(`intake accuracy over ${n} fixture mails (test/fixtures/mail/)\n`);
  console.log(table([
    ['', 'right', 'share', 'vs baseline'],
    ['kind (request / breach / other)', `${kind}/${n}`, pct(kind, n), ratio(kind / n, majority(rows, (o) => o.kind))],
    ['auto-class', `${auto}/${n}`, pct(auto, n), ratio(auto / n, majority(rows, (o) => o.auto))],
    ['request types (exact set)', `${types}/${n}`, pct(types, n),
      ratio(types / n, majority(rows, (o) => o.types.join(',')))],
    ['decision (action + reason)', `${decision}/${n}`, pct(decision, n),
      ratio(decision / n, majority(rows, (o) => `${o.action}/${o.reason}`))],
  ]));
  console.log('\nper request type (multi-label)\n' + table(perType(rows)));
  console.log('\nper kind\n' + table(perLabel(rows, 'kind')));
  console.log('\nper auto-class\n' + table(perLabel(rows, 'auto')));
  console.log('\nconfusion: kind\n' + table(confusion(rows, 'kind')));
  console.log('\nconfusion: auto-class\n' + table(confusion(rows, 'auto')));
  const wrong = rows.filter((r) =>
    r.expected.kind !== r.got.kind || r.expected.auto !== r.got.auto || !same(r.expected.types, r.got.types));
  if (wrong.length) {
    console.log('\nwrong:');
    const show = (o: Outcome) => `${o.kind}/${o.auto}/[${o.types}]`;
    for (const r of wrong) console.log(`  ${r.name}: expected ${show(r.expected)} got ${show(r.got)}`);
  }
}
