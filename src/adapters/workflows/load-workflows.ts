/**
 * Reads every workflow definition in the workflows folder (`<id>.yaml`; request and breach are required) and
 * validates them against the templates on disk and against what the code refers to by name.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { checkWorkflow, prefixOf, type WorkflowDefinition } from '../../domain/workflow/definition.ts';

/** Files in the workflows folder that are not workflow definitions. */
const NOT_WORKFLOWS = new Set(['intake-keywords.yaml']);

/**
 * What code names and a definition must therefore have: taking a case starts work on a request, a data
 * subject's reply resumes its clock, a triage case becomes a breach.
 */
const CODE_REFERENCES: readonly { workflow: string; event: string; by: string }[] = [
  { workflow: 'request', event: 'WorkStarted', by: 'take (starts work on a request nobody started)' },
  { workflow: 'request', event: 'SubjectReplied', by: 'mail intake (a reply resumes a paused clock)' },
];

export interface Workflows {
  request: WorkflowDefinition;
  breach: WorkflowDefinition;
  /** The definition a case follows. */
  of(c: { workflow: string }): WorkflowDefinition;
  get(id: string): WorkflowDefinition | undefined;
  list(): WorkflowDefinition[];
}

export class WorkflowLoadError extends Error {
  constructor(readonly problems: string[]) {
    super(`workflow definitions are invalid:\n  ${problems.join('\n  ')}`);
  }
}

/** Builds the registry from checked definitions (tests build one from definitions in memory). */
export function workflowRegistry(defs: readonly WorkflowDefinition[]): Workflows {
  const byId = new Map(defs.map((d) => [d.id, d]));
  const must = (id: string) => {
    const wf = byId.get(id);
    if (!wf) throw new WorkflowLoadError([`${id}.yaml: missing (the ${id} workflow is required)`]);
    return wf;
  };
  return {
    request: must('request'),
    breach: must('breach'),
    of: (c) => byId.get(c.workflow) ?? must(c.workflow),
    get: (id) => byId.get(id),
    list: () => [...byId.values()],
  };
}

/** Loads every definition; throws WorkflowLoadError listing every problem at once. */
export function loadWorkflows(dir: string, templatesDir: string): Workflows {
  const problems: string[] = [];
  const loaded: WorkflowDefinition[] = [];
  const hasTemplate = (name: string, lang: string) => existsSync(join(templatesDir, 'mail', lang, `${name}.hbs`));
  const files = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith('.yaml') && !NOT_WORKFLOWS.has(f)).sort()
    : [];
  if (!files.length) throw new WorkflowLoadError([`${dir}: no workflow definitions (*.yaml) found`]);
  for (const file of files) {
    let raw: unknown;
    try {
      raw = parse(readFileSync(join(dir, file), 'utf8'));
    } catch (e) {
      problems.push(`${file}: cannot be read as YAML (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    const checked = checkWorkflow(file, raw, hasTemplate);
    if (!checked.ok) problems.push(...checked.errors);
    else if (checked.workflow.id !== basename(file, '.yaml')) {
      problems.push(`${file}: id must be ${basename(file, '.yaml')}`);
    } else loaded.push(checked.workflow);
  }
  for (const id of ['request', 'breach']) {
    const wf = loaded.find((w) => w.id === id);
    if (!wf && !problems.some((p) => p.startsWith(`${id}.yaml`))) {
      problems.push(`${id}.yaml: missing (the ${id} workflow is required)`);
    } else if (wf && wf.kind !== id) problems.push(`${id}.yaml: kind must be ${id}`);
  }
  problems.push(...referenceProblems(loaded));
  problems.push(...prefixProblems(loaded));
  if (problems.length) throw new WorkflowLoadError(problems);
  return workflowRegistry(loaded);
}

function referenceProblems(defs: readonly WorkflowDefinition[]): string[] {
  return CODE_REFERENCES.flatMap((r) => {
    const wf = defs.find((d) => d.id === r.workflow);
    return wf && !wf.transitions.some((t) => t.on === r.event)
      ? [`${r.workflow}.yaml: the code refers to the event ${r.event} (${r.by}); no transition has it`] : [];
  });
}

/** Two workflows must not share a case-number prefix. */
function prefixProblems(defs: readonly WorkflowDefinition[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const d of defs) {
    const prefix = prefixOf(d);
    if (seen.has(prefix)) problems.push(`${d.id}.yaml: prefix ${prefix} is already used by ${seen.get(prefix)}`);
    seen.set(prefix, d.id);
  }
  return problems;
}
