// Variables to render a template with, when the project has them: a sidecar file next to the template
// (`<template>.vars.json`, `.vars.yaml`, `.vars.yml`) or the test vars of a promptfoo config that uses the template
// (`promptfooconfig.yaml` in the template's folder or one above it, up to the root: `defaultTest.vars` overlaid by the
// first test's `vars`). Without either the template is read statically.
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { globToRegExp } from '../promptFiles';
import type { IncludeResolver } from './includes';

export interface FoundVars {
  vars: Record<string, unknown>;
  /** Where they came from, for the user: `system.j2.vars.json`, `promptfooconfig.yaml tests[0].vars`. */
  from: string;
}

/** Sidecar suffixes, in the order they are looked for. */
export const VARS_SIDECAR_SUFFIXES = ['.vars.json', '.vars.yaml', '.vars.yml'] as const;
const PROMPTFOO_CONFIGS = ['promptfooconfig.yaml', 'promptfooconfig.yml', 'promptfooconfig.json'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function parseVarsText(text: string, file: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Finds variables for the main file of `includes` (none without a root to read under). */
export function findVars(includes: IncludeResolver): FoundVars | undefined {
  const main = includes.main;
  if (!includes.enabled || !main) return undefined;
  for (const suffix of VARS_SIDECAR_SUFFIXES) {
    const file = main + suffix;
    const text = includes.readInside(file);
    if (text === undefined) continue;
    const vars = parseVarsText(text, file);
    if (vars) return { vars, from: includes.relative(file) };
  }
  const root = includes.root!;
  for (let dir = path.dirname(main); ; dir = path.dirname(dir)) {
    for (const name of PROMPTFOO_CONFIGS) {
      const file = path.join(dir, name);
      const text = includes.readInside(file);
      if (text === undefined) continue;
      const found = promptfooVars(text, file, dir, main, includes);
      if (found) return found;
    }
    if (dir === root || !dir.startsWith(root) || path.dirname(dir) === dir) break;
  }
  return undefined;
}

/** The vars a promptfoo config gives `template` when one of its `prompts` is that file. */
export function promptfooVars(text: string, configFile: string, configDir: string, template: string, includes: IncludeResolver): FoundVars | undefined {
  const config = parseVarsText(text, configFile);
  if (!config) return undefined;
  const prompts = Array.isArray(config.prompts) ? config.prompts : config.prompts !== undefined ? [config.prompts] : [];
  const uses = prompts.some((p) => {
    const ref = typeof p === 'string' ? p : isRecord(p) ? (typeof p.id === 'string' ? p.id : typeof p.raw === 'string' ? undefined : undefined) : undefined;
    if (!ref || !ref.startsWith('file://')) return false;
    const rel = ref.slice('file://'.length).split(':')[0]; // `file://prompts.py:fn` names a function
    const abs = path.resolve(configDir, rel);
    if (abs === template) return true;
    // `file://prompts/*.txt` and the like: a glob relative to the config.
    const relTemplate = path.relative(configDir, template).split(path.sep).join('/');
    return /[*?{[]/.test(rel) && globToRegExp(rel.replace(/^\.\//, '')).test(relTemplate);
  });
  if (!uses) return undefined;
  const defaults = isRecord(config.defaultTest) && isRecord(config.defaultTest.vars) ? config.defaultTest.vars : {};
  const tests = Array.isArray(config.tests) ? config.tests : [];
  const first = tests.find((t) => isRecord(t) && isRecord(t.vars)) as { vars: Record<string, unknown> } | undefined;
  if (!first && Object.keys(defaults).length === 0) return undefined;
  const index = first ? tests.indexOf(first) : -1;
  return { vars: { ...defaults, ...(first?.vars ?? {}) }, from: `${includes.relative(configFile)} ${index >= 0 ? `tests[${index}].vars` : 'defaultTest.vars'}` };
}
