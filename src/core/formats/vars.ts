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
  return promptfooConfigUsing(includes)?.vars;
}

/** A promptfoo config (in the main file's folder or one above it, up to the root) whose `prompts` name the file. */
export function promptfooConfigUsing(includes: IncludeResolver): { config: string; vars?: FoundVars } | undefined {
  const main = includes.main;
  if (!includes.enabled || !main) return undefined;
  const root = includes.root!;
  for (let dir = path.dirname(main); ; dir = path.dirname(dir)) {
    for (const name of PROMPTFOO_CONFIGS) {
      const file = path.join(dir, name);
      const text = includes.readInside(file);
      if (text === undefined) continue;
      const config = parseVarsText(text, file);
      if (config && promptfooUses(config, dir, main)) return { config: file, vars: promptfooVars(config, file, dir, includes) };
    }
    if (dir === root || !dir.startsWith(root) || path.dirname(dir) === dir) break;
  }
  return undefined;
}

/** True when one of the config's `prompts` is the template: `file://path`, a bare path, or a glob of either. */
function promptfooUses(config: Record<string, unknown>, configDir: string, template: string): boolean {
  const prompts = Array.isArray(config.prompts) ? config.prompts : config.prompts !== undefined ? [config.prompts] : [];
  return prompts.some((p) => {
    const ref = typeof p === 'string' ? p : isRecord(p) && typeof p.id === 'string' ? p.id : undefined;
    if (!ref || /[\n{}]/.test(ref.replace(/\{[^{}]*,[^{}]*\}/g, ''))) return false; // an inline prompt, not a path
    const isFile = ref.startsWith('file://');
    const rel = (isFile ? ref.slice('file://'.length) : ref).split(':')[0]; // `file://prompts.py:fn` names a function
    // promptfoo reads a bare string as a file when it names one (an extension, no spaces).
    if (!isFile && (!path.extname(rel) || /\s/.test(rel))) return false;
    if (path.resolve(configDir, rel) === template) return true;
    const relTemplate = path.relative(configDir, template).split(path.sep).join('/');
    return /[*?{[]/.test(rel) && globToRegExp(rel.replace(/^\.\//, '')).test(relTemplate);
  });
}

/**
 * The vars a promptfoo config gives its prompts: `defaultTest.vars` overlaid by the first test's `vars` (tests inline,
 * or in `file://` YAML/JSON files the config names). A `file://` var is the file's text (JSON/YAML parsed), as
 * promptfoo loads it; scripts and CSV stay as written.
 */
export function promptfooVars(config: Record<string, unknown>, configFile: string, configDir: string, includes: IncludeResolver): FoundVars | undefined {
  const defaults = isRecord(config.defaultTest) && isRecord(config.defaultTest.vars) ? config.defaultTest.vars : {};
  const listed = Array.isArray(config.tests) ? config.tests : config.tests !== undefined ? [config.tests] : [];
  let first: { vars: Record<string, unknown>; where: string; dir?: string } | undefined;
  for (let i = 0; i < listed.length && !first; i++) {
    const t = listed[i];
    if (isRecord(t) && isRecord(t.vars)) first = { vars: t.vars, where: `tests[${i}].vars` };
    else if (typeof t === 'string' && t.startsWith('file://') && !/[*?{[]/.test(t)) {
      const file = path.resolve(configDir, t.slice('file://'.length));
      const text = /\.(ya?ml|json)$/i.test(file) ? includes.readInside(file) : undefined;
      const loaded: unknown = text === undefined ? undefined : parseAny(text, file);
      const tests = Array.isArray(loaded) ? loaded : [loaded];
      const k = tests.findIndex((x) => isRecord(x) && isRecord(x.vars));
      if (k >= 0) first = { vars: (tests[k] as { vars: Record<string, unknown> }).vars, where: `${includes.relative(file)}[${k}].vars`, dir: path.dirname(file) };
    }
  }
  if (!first && Object.keys(defaults).length === 0) return undefined;
  const dirs = [configDir, ...(first?.dir ? [first.dir] : [])];
  const vars = Object.fromEntries(Object.entries({ ...defaults, ...(first?.vars ?? {}) }).map(([k, v]) => [k, fileVar(v, dirs, includes)]));
  return { vars, from: `${includes.relative(configFile)} ${first ? first.where : 'defaultTest.vars'}` };
}

function parseAny(text: string, file: string): unknown {
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch {
    return undefined;
  }
}

/** A `file://` var's value as promptfoo loads it (text, or parsed JSON/YAML); other values as they are. */
function fileVar(v: unknown, dirs: readonly string[], includes: IncludeResolver): unknown {
  if (typeof v !== 'string' || !v.startsWith('file://')) return v;
  const rel = v.slice('file://'.length);
  if (/\.(py|js|cjs|mjs|ts|csv|xlsx?|png|jpe?g|gif|webp|pdf)$/i.test(rel)) return v;
  // Relative to the config, else to the tests file that sets it.
  for (const dir of dirs) {
    const file = path.resolve(dir, rel);
    const text = includes.readInside(file);
    if (text !== undefined) return /\.(ya?ml|json)$/i.test(file) ? parseAny(text, file) ?? text : text;
  }
  return v;
}
