// SARIF 2.1.0 output for code scanning (GitHub and others): one run, rules from the lint table.
import * as path from 'node:path';
import { LINT_RULES } from '../core/lint';
import type { LintFinding, Severity, SourceRange } from '../core/types';

export interface SarifInput {
  file: string;
  findings: LintFinding[];
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** Extra rule for `diff --sarif`: where a change starts invalidating the cache. */
export const DIVERGENCE_RULE = {
  id: 'cache-divergence',
  title: 'First token that differs from the previous version',
  explanation: 'Everything from this token on is recomputed by the provider (it is outside the reusable prefix).',
};

function region(r: SourceRange) {
  return { startLine: r.start.line, startColumn: r.start.column, endLine: r.end.line, endColumn: r.end.column, charOffset: r.start.offset, charLength: Math.max(0, r.end.offset - r.start.offset) };
}

function uri(file: string): string {
  const rel = path.isAbsolute(file) ? path.relative(process.cwd(), file) : file;
  return rel.split(path.sep).join('/');
}

/** Parse problems (malformed JSON/YAML, unterminated tags) appear in SARIF under this rule. */
export const PARSE_RULE = {
  id: 'parse-problem',
  title: 'The prompt file could not be parsed as its format',
  explanation: 'Malformed JSON, YAML front matter or an unterminated template tag: the audit falls back to the raw text, so counts may not match what the model sees.',
};

export function toSarif(inputs: SarifInput[], version: string): object {
  const rules = [...LINT_RULES.map((r) => ({ id: r.id, title: r.title, explanation: r.explanation, level: LEVEL[r.defaultSeverity] })), { ...DIVERGENCE_RULE, level: 'note' as const }, { ...PARSE_RULE, level: 'error' as const }];
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = inputs.flatMap(({ file, findings }) =>
    findings.map((f) => {
      const location = { physicalLocation: { artifactLocation: { uri: uri(file) }, region: region(f.range) } };
      const res: Record<string, unknown> = {
        ruleId: f.ruleId,
        level: LEVEL[f.severity],
        message: { text: f.message },
        locations: [location],
        properties: { tokensAtRisk: f.tokensAtRisk },
      };
      const idx = ruleIndex.get(f.ruleId);
      if (idx !== undefined) res.ruleIndex = idx;
      if (f.fix) {
        res.fixes = [
          {
            description: { text: f.fix.title },
            artifactChanges: [
              {
                artifactLocation: { uri: uri(file) },
                replacements: f.fix.edits.map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
              },
            ],
          },
        ];
      }
      return res;
    }),
  );
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
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}
