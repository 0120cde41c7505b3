// SARIF 2.1.0 output for code scanning (GitHub and others): one run, rules from the lint registry. Locations are
// relative to the repository root (`uriBaseId: SRCROOT`, the root given in `originalUriBaseIds`) and percent-encoded,
// so code scanning places them whatever directory the CLI ran in; files that could not be read are tool
// execution notifications, not results.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LINT_RULES, OTHER_DIAGNOSTICS } from '../core/lint';
import type { LintFinding, Severity, SourceRange } from '../core/types';

export interface SarifInput {
  file: string;
  findings: LintFinding[];
}

export interface SarifOptions {
  /** Directory the artifact URIs are relative to (default: the repository holding the current directory, else it). */
  root?: string;
  /** Files that could not be linted, with the reason. */
  errors?: { file: string; reason: string }[];
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export const SRCROOT = 'SRCROOT';

function info(id: string) {
  const r = OTHER_DIAGNOSTICS.find((d) => d.id === id)!;
  return { id: r.id, title: r.title, explanation: r.explanation };
}

/** Extra rule for `diff --sarif`: where a change starts invalidating the cache. */
export const DIVERGENCE_RULE = info('cache-divergence');
/** Parse problems (malformed JSON/YAML, unterminated tags) appear in SARIF under this rule. */
export const PARSE_RULE = info('parse-problem');

function region(r: SourceRange) {
  return { startLine: r.start.line, startColumn: r.start.column, endLine: r.end.line, endColumn: r.end.column, charOffset: r.start.offset, charLength: Math.max(0, r.end.offset - r.start.offset) };
}

/** A file's artifactLocation: percent-encoded, relative to the root with uriBaseId, or an absolute file: URI outside it. */
export function artifactLocation(file: string, root: string): { uri: string; uriBaseId?: string } {
  const abs = path.resolve(file);
  const rel = path.relative(root, abs);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) {
    return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
  }
  return { uri: pathToFileURL(abs).href };
}

/** The nearest directory at or above `start` holding `.git` (a directory, or a file in worktrees), else `start`. */
export function repositoryRoot(start: string = process.cwd()): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(start);
    dir = up;
  }
}

export function toSarif(inputs: SarifInput[], version: string, options: SarifOptions = {}): object {
  const root = path.resolve(options.root ?? repositoryRoot());
  const rules = [
    ...LINT_RULES.map((r) => ({ id: r.id, title: r.title, explanation: r.explanation, level: LEVEL[r.defaultSeverity] })),
    { ...DIVERGENCE_RULE, level: 'note' as const },
    { ...PARSE_RULE, level: 'error' as const },
  ];
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = inputs.flatMap(({ file, findings }) =>
    findings.map((f) => {
      const location = { physicalLocation: { artifactLocation: artifactLocation(file, root), region: region(f.range) } };
      const properties: Record<string, unknown> = { tokensAtRisk: f.tokensAtRisk };
      if (f.evidence) properties.evidence = f.evidence;
      const res: Record<string, unknown> = { ruleId: f.ruleId, level: LEVEL[f.severity], message: { text: f.message }, locations: [location], properties };
      const idx = ruleIndex.get(f.ruleId);
      if (idx !== undefined) res.ruleIndex = idx;
      if (f.fix) {
        res.fixes = [
          {
            description: { text: f.fix.title },
            artifactChanges: [
              {
                artifactLocation: artifactLocation(file, root),
                replacements: f.fix.edits.map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
              },
            ],
          },
        ];
      }
      return res;
    }),
  );
  const errors = options.errors ?? [];
  const rootUri = pathToFileURL(root.endsWith(path.sep) ? root : `${root}${path.sep}`).href;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'prompt-cache-audit',
            version,
            informationUri: 'https://github.com/prompt-cache-auditor/prompt-cache-auditor/blob/main/docs/rules.md',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.explanation },
              helpUri: `https://github.com/prompt-cache-auditor/prompt-cache-auditor/blob/main/docs/rules.md#${r.id}`,
              defaultConfiguration: { level: r.level },
            })),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: rootUri } },
        invocations: [
          {
            executionSuccessful: errors.length === 0,
            toolExecutionNotifications: errors.map((e) => ({
              level: 'error',
              message: { text: `${e.file}: ${e.reason}` },
              locations: [{ physicalLocation: { artifactLocation: artifactLocation(e.file, root) } }],
            })),
          },
        ],
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}
