/** Reads workflows/request.yaml and workflows/breach.yaml and validates them against the templates on disk. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkWorkflow, type WorkflowDefinition } from '../../domain/workflow/definition.ts';
import type { CaseKind } from '../../domain/vocabulary.ts';

export type Workflows = Record<CaseKind, WorkflowDefinition>;

const FILES: Record<CaseKind, string> = { request: 'request.yaml', breach: 'breach.yaml' };

export class WorkflowLoadError extends Error {
  constructor(readonly problems: string[]) {
    super(`workflow definitions are invalid:\n  ${problems.join('\n  ')}`);
  }
}

/** Loads both definitions; throws WorkflowLoadError listing every problem at once. */
export function loadWorkflows(dir: string, templatesDir: string): Workflows {
  const problems: string[] = [];
  const loaded: Partial<Workflows> = {};
  const hasTemplate = (name: string, lang: string) => existsSync(join(templatesDir, 'mail', lang, `${name}.hbs`));
  for (const [kind, file] of Object.entries(FILES) as [CaseKind, string][]) {
    let raw: unknown;
    try {
      raw = parse(readFileSync(join(dir, file), 'utf8'));
    } catch (e) {
      problems.push(`${file}: cannot be read as YAML (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    const checked = checkWorkflow(file, raw, hasTemplate);
    if (!checked.ok) problems.push(...checked.errors);
    else if (checked.workflow.kind !== kind) problems.push(`${file}: kind must be ${kind}`);
    else loaded[kind] = checked.workflow;
  }
  if (problems.length) throw new WorkflowLoadError(problems);
  return loaded as Workflows;
}
