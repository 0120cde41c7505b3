// volatile-prefix: a value that varies per request sits before static content, so every request recomputes it all.
// "Varies per request" needs a reason, and the reason is the finding's evidence: a name (placeholder, label), a
// request body (generated per request), command output, or a literal that changed across the file's history.
import { clip, count, moveLineFix, splitLines, type LintHelper, type LintRule } from '../helper';
import {
  codeBlocks,
  COMMAND_OUTPUT,
  commandValues,
  inlineCodeSpans,
  inZones,
  isClaudeCodeCommand,
  isPlaceholderValue,
  labelledValues,
  lineView,
  LiteralHistory,
  namedPerRequest,
  quietZones,
  textPlaceholders,
  VALUE_SHAPES,
  withoutStrings,
} from '../perRequest';
import type { LintEvidence, LintFinding, PromptPlaceholder, Severity } from '../../types';

/** Fewer tokens than this after a volatile value: not worth a warning (a date on the last line costs only itself). */
const TAIL_TOLERANCE_TOKENS = 32;
/** Fewer static tokens than this after it (the rest is per-request output): nothing after it could be reused. */
const STATIC_AFTER_MIN_TOKENS = 12;

export const rule: LintRule = {
  id: 'volatile-prefix',
  title: 'Per-request value in the cacheable prefix',
  defaultSeverity: 'warning',
  explanation:
    'A value that changes with every request (the date or time, a user, a session or request id, the working directory, `git status`, the selection or input) sits before static content. Providers reuse only the exact token prefix, so every request with a new value recomputes everything after it. Move the value to the end (the final user message) or make it coarser (a date instead of a time).',
  details: [
    'A value counts as per request only with a reason, which the finding carries as its evidence:',
    '',
    '- **its name**: a template placeholder or expression whose name says so, matched as whole words (`current_date`, `now()`, `user.email`, `request_id`, `${selection}`, `${input:topic}`; `validate` is not "date", `return_format` is not "turn", `date_format` and `knowledge_cutoff_date` are configuration). Placeholder-looking text in static files (`{{ current_date }}`, `${userName}`, `{today}`) counts too: some app fills it in.',
    '- **its label**: "Today\'s date: 2025-06-01", "The current date is …", "Working directory: /Users/…", "Session ID: …", "Git user: …", a `gitStatus:` block, `<user_info>`; the value must look like one (a date, a path, an id), not prose.',
    '- **`git status` output** pasted by a harness ("On branch …", "Changes not staged for commit:").',
    '- **Claude Code commands** (`.claude/commands/`, `.claude/skills/`, plugin commands, or front matter with `allowed-tools`/`argument-hint`): `$ARGUMENTS` and `$1`…`$9` (the arguments typed with the command) and `` !`git status` `` (a command run on each invocation, its output pasted in).',
    '- **a value the template sets per render**: `{% set date_string = strftime_now("%d %b %Y") %}` then `"Today Date: " + date_string` (chat templates), or an input given a default only `if not x is defined`.',
    '- **a request body**: its tools and system prompt are built for each request, so a timestamp, UUID, epoch time, e-mail address, long hex id or date there was produced for this request (earlier turns of the conversation are replayed as they were, and are not flagged by shape).',
    '- **its history**: a number, date or id in a static file whose value changed across the file\'s earlier versions (the CLI reads them from git for `lint`; the previous version counts as one). The finding lists the commits and the values it had.',
    '',
    'Not flagged: literals that never changed in a static file (pinned action SHAs, role GUIDs, the nil UUID, "effective 2024-01-01"), prose and type names that merely contain a word (`SessionIdleEvent`, "session identifier"), labels and values inside fenced code blocks, `<example>` blocks, example lines ("e.g. …") and sections headed "Examples" (a template engine still fills its placeholders there, so those count; placeholder-looking text in a static file is skipped only inside code blocks and inline code, where it documents the syntax), literal objects in braces (`{{"query": "…"}}`), words inside string literals (`raise_exception("…user message…")`), dates that change once a year (`last_new_year_date`), values in the final user message of a request body, and values with fewer than 32 tokens after them or fewer than 12 static tokens after them (the rest being other per-request output).',
    '',
    'Fix (templates): when the placeholder\'s line holds no control tag and sits outside every block, the line is moved to the end of the template.',
  ].join('\n'),
  evidence: 'Why the value varies: the placeholder\'s or label\'s name (`placeholder-name`, `label`), `request-body`, `command-output`, or `history` with the commits where it changed.',
  check: volatilePrefix,
};

/**
 * Which quiet zones apply: a template engine fills its placeholders wherever they are (even in an example); a
 * placeholder written as text is not filled inside shown code; labels and shapes are quiet in code and examples.
 */
type Quiet = 'none' | 'code' | 'all';

interface Candidate {
  quiet: Quiet;
  /** Rendered offsets. */
  start: number;
  end: number;
  what: string;
  evidence: LintEvidence;
  severity: Severity;
  /** Source range, when it is not the rendered range mapped back (placeholders know theirs). */
  source?: [number, number];
  fix?: LintFinding['fix'];
}

function volatilePrefix(h: LintHelper): LintFinding[] {
  const { prompt } = h.ctx;
  // Bodies: read their JSON strings line by line (same offsets).
  const text = h.isRequestBody ? lineView(prompt.text) : prompt.text;
  const limit = h.prefixEnd;
  const zones = { all: quietZones(text), code: codeBlocks(text), none: [] as [number, number][] };
  const candidates: Candidate[] = [];
  const isTemplate = (prompt.placeholders ?? []).length > 0 || prompt.format.startsWith('template-') || prompt.format === 'prompty';

  // 1. Template placeholders whose name says they vary per request; a name the template sets itself counts when it
  //    is set per render (`{% set date_string = strftime_now(…) %}`) or is an input with a default (`is defined`).
  const rendered = renderTimeNames(prompt.placeholders ?? []);
  for (const p of prompt.placeholders ?? []) {
    if (p.kind !== 'output') continue;
    const setBy = p.variable ? undefined : identifiersOf(p.expr).find((n) => rendered.has(n));
    if (!p.variable && !setBy) continue;
    const verdict = namedPerRequest(p.expr);
    if (!verdict) continue;
    const how = setBy ? ` \`${setBy}\` is ${rendered.get(setBy)} when the template renders.` : '';
    candidates.push({
      start: p.renderedStart,
      end: p.renderedEnd,
      what: `placeholder \`${clip(p.expr, 40)}\``,
      evidence: { kind: 'placeholder-name', name: p.expr, summary: `The placeholder's name says it varies per request ("${verdict.word}").${how}` },
      severity: 'warning',
      source: [p.sourceStart, p.sourceEnd],
      fix: moveLineFix(h, p),
      quiet: 'none',
    });
  }
  // 2. Placeholder-looking text in files the auditor does not render (an app fills it in). Quoted in backticks it
  //    shows the syntax (a document about prompt variables), so inline code is left alone.
  if (!isTemplate) {
    const inline = inlineCodeSpans(text);
    for (const p of textPlaceholders(text)) {
      if (inZones(inline, p.start, p.end)) continue;
      const verdict = namedPerRequest(p.expr);
      if (!verdict) continue;
      candidates.push({
        start: p.start,
        end: p.end,
        what: `placeholder \`${clip(text.slice(p.start, p.end), 40)}\``,
        evidence: { kind: 'placeholder-name', name: p.expr, summary: `The placeholder's name says it varies per request ("${verdict.word}").` },
        severity: 'warning',
        quiet: 'code',
      });
    }
  }
  // 3. Labelled values: "Today's date: …", "Working directory: /…", "gitStatus:".
  for (const l of labelledValues(text)) {
    candidates.push({
      start: l.start,
      end: l.end,
      what: `\`${clip(text.slice(l.start, l.end))}\``,
      evidence: { kind: 'label', name: l.label, summary: `The label "${clip(l.label, 40)}" names a value that varies per request ("${l.word}").` },
      severity: 'warning',
      quiet: 'all',
    });
  }
  // 4. Output of commands run per request.
  for (const shape of COMMAND_OUTPUT) {
    shape.re.lastIndex = 0;
    for (let m = shape.re.exec(text); m; m = shape.re.exec(text)) {
      const start = m.index + (m[0].length - m[0].trimStart().length);
      candidates.push({
        start,
        end: m.index + m[0].length,
        what: `\`${clip(m[0])}\``,
        evidence: { kind: 'command-output', summary: `${shape.kind} is captured when the request is made.` },
        severity: 'warning',
        quiet: 'all',
      });
    }
  }
  // 4b. Claude Code commands: the typed arguments and the output of `!`cmd`` are pasted in on every invocation
  //     (`$ARGUMENTS` anywhere, even in inline code; the others outside shown code).
  if (isClaudeCodeCommand(h.ctx.fileName, h.ctx.source)) {
    for (const c of commandValues(text)) {
      candidates.push({
        start: c.start,
        end: c.end,
        what: `\`${clip(text.slice(c.start, c.end), 40)}\``,
        evidence:
          c.kind === 'command'
            ? { kind: 'command-output', summary: `Claude Code runs \`${clip(c.value, 40)}\` when the command is invoked and pastes its output here.` }
            : { kind: 'placeholder-name', name: c.value, summary: `${c.value} is replaced by the arguments typed with the command, on every invocation.` },
        severity: 'warning',
        quiet: c.value === '$ARGUMENTS' ? 'none' : 'code',
      });
    }
  }
  // 5. Request bodies are generated per request: generated-looking values in them were made for this one.
  if (h.isRequestBody) {
    const generatedEnd = h.generatedEnd;
    for (const shape of VALUE_SHAPES) {
      shape.re.lastIndex = 0;
      for (let m = shape.re.exec(text); m; m = shape.re.exec(text)) {
        if (m.index >= generatedEnd) break;
        if (isPlaceholderValue(m[0])) continue;
        candidates.push({
          start: m.index,
          end: m.index + m[0].length,
          what: `${shape.kind} \`${clip(m[0])}\``,
          evidence: { kind: 'request-body', summary: `A ${shape.kind} in a request body, which is generated per request.` },
          severity: 'warning',
          quiet: 'all',
        });
      }
    }
  }
  // 6. Literals of a static file that changed across its history (or since the previous version).
  const versions = h.ctx.history?.length ? h.ctx.history : h.ctx.previous ? [{ commit: 'previous version', source: h.ctx.previous.source }] : [];
  if (!h.isRequestBody && versions.length) {
    const history = new LiteralHistory(versions);
    for (const line of splitLines(h.ctx.source)) {
      for (const c of history.changesIn(line.text)) {
        const s = line.start + c.start;
        const rs = h.toRendered(s);
        if (rs === null || isPlaceholderValue(c.value)) continue;
        const n = c.commits.length;
        const where = c.commits.slice(-3).map((x) => `${x.commit.length > 12 ? x.commit.slice(0, 8) : x.commit}${x.date ? ` (${x.date.slice(0, 10)})` : ''}: ${clip(x.value, 30)}`);
        candidates.push({
          start: rs,
          end: rs + c.value.length,
          what: `\`${clip(c.value)}\``,
          evidence: { kind: 'history', summary: `Changed in ${n} of ${versions.length} earlier version(s): ${where.join('; ')}${n > 3 ? '; …' : ''}.`, commits: c.commits },
          // One change may be a deliberate edit; a value that keeps changing is per-release churn.
          severity: n >= 2 ? 'warning' : 'info',
          source: [s, s + c.value.length],
          quiet: 'all',
        });
      }
    }
  }

  // Rendered spans of the outputs that vary per request (engine placeholders, or placeholder text in a static file).
  const varying: [number, number][] = isTemplate
    ? (prompt.placeholders ?? []).filter((p) => p.kind === 'output' && p.variable).map((p) => [p.renderedStart, p.renderedEnd])
    : textPlaceholders(text).map((p) => [p.start, p.end]);
  const staticTokensAfter = (end: number): number => {
    const tail = text.length - end;
    if (tail <= 0) return 0;
    const varyingChars = varying.reduce((n, [a, b]) => n + Math.max(0, b - Math.max(a, end)), 0);
    return Math.round((h.atRiskFromRendered(end) * Math.max(0, tail - varyingChars)) / tail);
  };
  const out: LintFinding[] = [];
  const covered: [number, number][] = [];
  for (const c of candidates) {
    if (c.start >= limit) continue;
    if (inZones(zones[c.quiet], c.start, c.end) || covered.some(([a, b]) => c.start < b && c.end > a)) continue;
    // Little follows: a volatile value at the very end costs only itself; so does one followed only by other
    // per-request output (a loop over the request's sources) and a label or two.
    if (h.atRiskFromRendered(c.end) < TAIL_TOLERANCE_TOKENS || staticTokensAfter(c.end) < STATIC_AFTER_MIN_TOKENS) continue;
    covered.push([c.start, c.end]);
    const [ss, se] = c.source ?? [h.toSource(c.start), h.toSource(c.end)];
    const atRisk = h.atRiskFromRendered(c.start);
    out.push({
      ruleId: 'volatile-prefix',
      severity: c.severity,
      message: `Per-request ${c.what} in the cacheable prefix. ${c.evidence.summary} Each new value makes the provider recompute the ${count(atRisk)} tokens from here on; move it to the end (e.g. the final user message) or make it coarser.`,
      range: h.range(ss, Math.max(se, ss + 1)),
      tokensAtRisk: atRisk,
      ...(c.fix ? { fix: c.fix } : {}),
      evidence: c.evidence,
    });
  }
  return out;
}

/** Identifiers an expression reads (not its string literals): `"Today Date: " + date_string` → `date_string`. */
function identifiersOf(expr: string): string[] {
  return withoutStrings(expr).match(/[A-Za-z_][\w]*/g) ?? [];
}

/**
 * Names a template sets per render: `{% set x = strftime_now(…) %}` / `now()` (computed when it renders), and inputs
 * given a default only `if not x is defined` (the caller passes them per request). Maps the name to how.
 */
function renderTimeNames(placeholders: readonly PromptPlaceholder[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of placeholders) {
    if (p.kind === 'output') continue;
    const e = p.expr.trim();
    const set = /^set\s+(\w+)\s*=\s*(.+)$/s.exec(e);
    if (set && /\b(?:strftime_now|now|utcnow|today)\s*\(/.test(withoutStrings(set[2]))) out.set(set[1], `set from \`${clip(set[2], 30)}\``);
    const input = /^if\s+(?:not\s+(\w+)\s+is\s+defined|(\w+)\s+is\s+(?:not\s+defined|undefined))\b/.exec(e);
    const name = input?.[1] ?? input?.[2];
    if (name && !out.has(name)) out.set(name, 'passed in by the caller (the template only sets a default)');
  }
  return out;
}
