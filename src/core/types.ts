// Result types shared by the core, the CLI, the extension and the webview. CONTRACT: add fields freely,
// never rename or remove one (the CLI's --json output and the webview protocol are built from these).
import type { EncodingName } from './ids';

/** A position in a source file: 0-based UTF-16 offset, 1-based line and column. */
export interface SourcePosition {
  offset: number;
  line: number;
  column: number;
}

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

export type { ProviderId } from './ids';
import type { ProviderId } from './ids';

export interface ProviderEstimate {
  id: ProviderId;
  /** Model whose rule applied (per-model minimums), if any. */
  model?: string;
  /** Tokens of the new version actually served from cache under this provider's rule. */
  cachedTokens: number;
  /** cachedTokens / new token count (0 when the new version is empty). */
  hitRatio: number;
  /** One line saying which rule applied, e.g. "≥1024 tokens, 128-token steps". */
  rule: string;
  /** Cost of sending the new version 1,000 times with this cache state vs. fully cached, in USD. */
  costPer1kRequests?: {
    withChange: number;
    ifFullyCached: number;
    extra: number;
    pricePerMTok: number;
    /** USD per million cached-read / cache-write tokens used for the figures. */
    cacheReadPerMTok?: number;
    cacheWritePerMTok?: number;
    /** The TTL option whose write price applied, e.g. "5m", "1h", "30m". */
    ttl?: string;
    /** Where the prices came from: the price package, its version and date, and the model it matched; or the user's price. */
    priceSource?: string;
  };
  /** Where the tokenizer is not public, counts come from a stand-in encoding; this says which. */
  tokenizerNote?: string;
  /** The rule's unit kind (`token`, `step`, `block`, `content-block`, `breakpoint`, `persisted-unit`). */
  unit?: 'token' | 'step' | 'block' | 'content-block' | 'breakpoint' | 'persisted-unit';
  /** Minimum cacheable prefix of the rule that applied, in the provider's tokens. */
  minimumTokens?: number;
  /**
   * Tokens a provider that reuses any common token prefix would serve (the common prefix): compare with
   * cachedTokens to explain block-boundary, step or persisted-unit misses.
   */
  tokenLevelReusable?: number;
  /** content-block rules: true when the new version is one content block (an edit anywhere in it is a miss). */
  singleBlock?: boolean;
  /** The provider's tokens per stand-in token, where known (Claude 4.7+: ~1.3); minimums are judged with it. */
  tokenizerFactor?: number;
  /** Tokens this request writes to the cache at the write price. */
  cacheWriteTokens?: number;
}

export type Severity = 'error' | 'warning' | 'info';

export interface TextEdit {
  range: SourceRange;
  newText: string;
}

export interface LintFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  range: SourceRange;
  /** Tokens after this point that a change here would make the provider recompute. */
  tokensAtRisk: number;
  /** A sound, self-contained fix, when there is one. */
  fix?: { title: string; edits: TextEdit[] };
  /** Why the rule believes this: the placeholder's name, the label, the commits where the value changed… */
  evidence?: LintEvidence;
}

/** How a lint rule knows what it reports (shown next to the finding; the docs list each rule's kinds). */
export interface LintEvidence {
  kind:
    | 'placeholder-name' // a template placeholder whose name says it varies per request
    | 'label' // a "Today's date: …" line: the label names a per-request value
    | 'request-body' // a value in a request body, which is generated per request
    | 'history' // the literal changed across the file's earlier versions (git history)
    | 'command-output' // output of a command run per request (`git status`)
    | 'previous-version' // compared with the previous version (drift rules)
    | 'measurement'; // counted: tokens, blocks, breakpoints
  /** One sentence for people. */
  summary: string;
  /** The placeholder, label or key that tells. */
  name?: string;
  /** Versions in which the value changed (oldest first): commit, date, the value it had there. */
  commits?: { commit: string; date?: string; value: string }[];
}

export interface Divergence extends SourcePosition {
  /** The same point in the old version. */
  old: SourcePosition;
  /** Segment of the rendered prompt it falls in, e.g. "tools[3].description" or "system". */
  segment?: string;
}

export interface DiffResult {
  encoding: EncodingName;
  /** Set when the provider's own tokenizer is not public and the counts come from a stand-in. */
  encodingNote?: string;
  format: string;
  old: { tokens: number };
  new: { tokens: number };
  /** Length of the longest common token prefix (0-based index of the first differing token); null when identical. */
  firstDivergentToken: number | null;
  reusablePrefixTokens: number;
  recomputedTokens: number;
  /** null when the token sequences are identical. */
  divergence: Divergence | null;
  /** True when only file-only parts (e.g. YAML front matter) changed: no effect on the cache. */
  noEffectOnCache?: boolean;
  /**
   * Set when a request setting outside the text changed (front matter `tools`/`model`/`applyTo`/`mode`, a body's
   * `model`): the request shares no cached prefix with the old one, reported at token 0 with the key named.
   */
  fullMiss?: { key: string; reason: string };
  providers: ProviderEstimate[];
  findings: LintFinding[];
  /** Problems parsing either version (malformed JSON/YAML, unterminated template tag). */
  problems?: { old: ParseProblem[]; new: ParseProblem[] };
  /** Rendered offset of the divergence in the new/old rendered text (what was tokenized). */
  renderedOffset?: { old: number; new: number } | null;
  /** Tokens before the first per-request variable output (templates), when there is one. */
  staticPrefixTokens?: number | null;
  /** Rendered text around the divergence, for human output (old vs new). */
  excerpt?: { old: string; new: string } | null;
}

// ---- Added by the core engine (fields only added, never renamed) ----

/** A named range of the rendered prompt text, e.g. `system`, `tools[3].description`, `messages[2].content`. */
export interface PromptSegment {
  name: string;
  /** Rendered-text offsets, end exclusive. */
  start: number;
  end: number;
}

/** A piece of the rendered text and where it came from. `exact` pieces were copied verbatim from the source. */
export interface OffsetMapPiece {
  renderedStart: number;
  renderedEnd: number;
  sourceStart: number;
  sourceEnd: number;
  exact: boolean;
}

export interface ParseProblem {
  message: string;
  severity: Severity;
  /** Offsets in the source file, end exclusive. */
  start: number;
  end: number;
}

export type PromptFormat =
  | 'raw'
  | 'text'
  | 'markdown'
  | 'prompt-file'
  | 'prompty'
  | 'template-jinja'
  | 'template-handlebars'
  | 'template-liquid'
  | 'json-anthropic'
  | 'json-openai-chat'
  | 'json-openai-responses'
  | 'json-gemini'
  | 'json'
  | 'dotprompt'
  | 'poml'
  | 'cursor-rule'
  | 'agent-instructions'
  | keyof RegisteredPromptFormats;

/**
 * Format ids added by a module under src/core/formats/ (or a test) without editing this file: the module declares
 * `declare module '<path>/types' { interface RegisteredPromptFormats { 'my-format': true } }` (AGENTS.md recipe).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RegisteredPromptFormats {}

/** What the model sees for one version of a prompt file. */
export interface ExtractedPrompt {
  format: PromptFormat;
  /** The rendered text that gets tokenized. */
  text: string;
  segments: PromptSegment[];
  /** Sorted, non-overlapping pieces covering `text`, for rendered → source offsets. */
  map: OffsetMapPiece[];
  /** Rendered offset where output that varies per request first appears (templates); null when none. */
  firstVariableOffset: number | null;
  problems: ParseProblem[];
  /** Source offsets of the YAML front matter block (including its `---` fences), if any. */
  frontMatter?: { start: number; end: number };
  /** Rendered offsets (end of the marked block) of Anthropic `cache_control` breakpoints. */
  breakpoints: number[];
  /** Rendered end offsets of cacheable blocks (Anthropic counts its ~20-block lookback in these). */
  blocks: number[];
  /** Kind of each block in `blocks` (`tool_use`, `tool_result`, `text`, …) when the format knows it (lookback runs). */
  blockKinds?: string[];
  /** Rendered offset where the final user turn starts (JSON bodies): content after it is expected to vary per request. */
  finalTurnOffset?: number;
  /**
   * Rendered offsets where the provider's chat template puts special tokens (between messages, tools,
   * content blocks): BPE never merges across them, so each piece is tokenized on its own.
   */
  hardBoundaries?: number[];
  /** Source offsets of the `cache_control` keys, parallel to `breakpoints`. */
  breakpointSourceOffsets?: number[];
  /** Template placeholders / control tags / prompt-file variables, in order. */
  placeholders?: PromptPlaceholder[];
  /**
   * Settings outside the prompt text that select or shape the request it is sent in: front-matter keys such as
   * `tools`, `model`, `applyTo`, `mode`/`agent`, a request body's `model`. Two versions whose values differ share no
   * cached prefix, whatever their text (see `requestKeyChange`). Values are canonical JSON.
   */
  requestKeys?: Record<string, RequestKey>;
  /** How the text was produced for templates: rendered by the engine with variables, or read statically. */
  rendering?: TemplateRendering;
  /** Files read to produce the text (includes, partials, imports, vars files), relative to the root, in order. */
  includedFiles?: string[];
}

export interface RequestKey {
  /** Canonical JSON of the value (missing keys are absent from `requestKeys`). */
  value: string;
  /** Source range of the key (and its value) in the file, for the diagnostic. */
  start: number;
  end: number;
  /** Why a change is a full miss, e.g. "the tool schemas sent ahead of the prompt change". */
  why: string;
}

export interface TemplateRendering {
  /** `engine`: rendered by the engine with variables from `varsFrom`; `static`: placeholders kept as markers. */
  mode: 'engine' | 'static';
  /** e.g. `nunjucks 3.2.4`, `handlebars 4.7.10`. */
  engine?: string;
  /** Where the variables came from (`system.j2.vars.json`, `promptfooconfig.yaml tests[0].vars`). */
  varsFrom?: string;
  /** Why the engine was not used (no variables, a missing include, an engine error). */
  reason?: string;
}

export interface PromptPlaceholder {
  kind: 'output' | 'control';
  /** Normalised expression, e.g. `current_date` or `if user.premium`. */
  expr: string;
  /** True when its output can vary per request. */
  variable: boolean;
  renderedStart: number;
  renderedEnd: number;
  sourceStart: number;
  sourceEnd: number;
  /** Free variables the expression reads (its own locals and helpers left out), e.g. `['user', 'cli_mode']`. */
  names?: string[];
  /**
   * True when every name it reads is declared fixed per deployment (`promptCache.deploymentVariables`): its output
   * is the same for every request of a deployment, so it does not end the cacheable prefix (`variable` is false).
   */
  perDeployment?: boolean;
}

/** A version of a prompt in git history. */
export interface PromptVersion {
  commit: string;
  date: string;
  subject: string;
  /** Path of the file in that commit (renames are followed). */
  path: string;
  /** Git: the commit's parents. A merge (more than one) is compared with the first: the branch it was merged into. */
  parents?: string[];
  /** This commit deleted the file: an empty version (the next one starts from an empty cache). */
  deleted?: boolean;
}

/** A version whose text could not be used (binary, not UTF-8, a symbolic link): left out of the diffs. */
export interface SkippedVersion extends PromptVersion {
  /** One line, as for a file on disk: `<path> at <commit>: not valid UTF-8 text`. */
  reason: string;
}

export interface HistoryEntry extends DiffResult, PromptVersion {
  /** The previous version's commit (the `old` side of this diff). */
  previousCommit: string;
}

export interface ChurnRegion {
  /** Segment name, or `line N` for unsegmented formats. */
  region: string;
  /** How many consecutive-version diffs diverged first in this region. */
  firstDivergenceCount: number;
  /** A short excerpt of the region's text in the newest version that diverged there. */
  excerpt: string;
}

/** A line of the newest version and how many versions changed it (or the lines it replaced). */
export interface LineChurn {
  /** 1-based line in the newest version. */
  line: number;
  text: string;
  changedInVersions: number;
}

export interface HistoryResult {
  file: string;
  versions: PromptVersion[];
  diffs: HistoryEntry[];
  churn: ChurnRegion[];
  /** Lines of the newest version that changed at least once, most-changed first. */
  lineChurn?: LineChurn[];
  /** Versions left out of the diffs (each diff then compares the readable versions around them). */
  skipped?: SkippedVersion[];
  /** History does not go back to the file's first version: a shallow clone's boundary, or the `max` asked for. */
  truncated?: { reason: 'shallow-clone' | 'max'; oldestCommit: string };
}
