// Agent sessions, request logs and HTTP captures, call by call. CONTRACT (like src/core/types.ts): add fields freely,
// never rename or remove one — `prompt-cache-audit trace --json` and the extension's session view are built from these.
import type { ProviderId } from '../ids';

/** Which importer read a file (src/core/sessions/importers/). Open-ended so that a test-only importer can add one. */
export type SessionSourceKind = 'claude-code' | 'codex' | 'har' | 'request-log' | 'otlp' | 'copilot-chat' | 'gemini-cli' | (string & {});

/** What the provider reported for one call. Counts never overlap: prompt = input + cache read + cache write. */
export interface ReportedUsage {
  /** Prompt tokens neither read from nor written to the cache (Anthropic's `input_tokens`). */
  inputTokens: number;
  cacheReadTokens: number;
  /** Cache writes (5 min + 1 h). OpenAI-style usage before GPT-5.6 reports none: 0. */
  cacheWriteTokens: number;
  outputTokens: number;
  /** The whole prompt the provider processed. */
  promptTokens: number;
  cacheWrite5mTokens?: number;
  cacheWrite1hTokens?: number;
  /** Part of outputTokens spent on reasoning, when reported. */
  reasoningTokens?: number;
}

/** A content block or message of the conversation, in the order the request carries it. */
export interface ConversationPiece {
  /** API role of the message the piece belongs to (`user`, `assistant`, `developer`, `tool`…). */
  role: string;
  /** Compact JSON of the piece as the request carries it (a content block, a response item); parsed on demand only. */
  json: string;
  /** The block's `type` (`text`, `tool_use`, `tool_result`, `function_call_output`…), when it has one. */
  type?: string;
  /** Where the request carries it, when not `messages[i].content[j]` (e.g. `input[17]` in a Codex rollout). */
  label?: string;
}

/**
 * The conversation as a persistent list: each call points at the tail of its history, so a session of n calls costs
 * O(n) memory however long each history is. `prev` is null at the first piece.
 */
export interface ConversationNode {
  piece: ConversationPiece;
  prev: ConversationNode | null;
  /** Number of pieces up to and including this one. */
  depth: number;
}

/** How the calls' conversations are laid out in a request, for rendering them the way src/core/formats/json.ts does. */
export type ConversationLayout = 'anthropic-messages' | 'responses-input';

/** One API call as an importer read it (before analysis). */
export interface ImportedCall {
  /** Stable within the file: the provider's message or response id, or `call-<n>`. */
  id: string;
  /** 1-based line of a JSONL log the call was read from. */
  line?: number;
  /** 1-based entry of a whole-document log (a HAR entry, an export's log entry). */
  entry?: number;
  /** ISO 8601 time the request was sent (or the response started). */
  timestamp?: string;
  model?: string;
  provider?: ProviderId;
  usage: ReportedUsage | null;
  /** The whole request body (provider JSON) when the log holds it: HAR captures, request logs, OTLP with messages. */
  request?: { body: unknown; text: string };
  /** The conversation only (Claude Code, Codex, Gemini CLI): the tail of its history, and how requests lay it out. */
  conversation?: { tail: ConversationNode | null; layout: ConversationLayout; instructions?: string; partialNote: string };
  /** The log marks a compaction between the previous call and this one. */
  compaction?: { trigger?: string; preTokens?: number; postTokens?: number; line?: number };
  /** The log records an interrupted turn (a tool use cut off by the user) between the previous call and this one. */
  interruption?: { line: number };
  /** The provider's own reason for a miss (Anthropic `diagnostics.cache_miss_reason`). */
  missReason?: { type: string; missedTokens?: number };
  sidechain?: boolean;
  agentId?: string;
  /** A request that is not part of the main conversation (a title, a summary, a subagent's warm-up). */
  sideRequest?: boolean;
}

export type ProblemSeverity = 'error' | 'warning' | 'info';

/** Bad input, named by file and line; the rest of the file is still audited. */
export interface SessionProblem {
  file: string;
  line?: number;
  severity: ProblemSeverity;
  message: string;
}

/** What an importer hands to the analysis. */
export interface ImportedSession {
  file: string;
  source: SessionSourceKind;
  calls: ImportedCall[];
  /** The main session's file, for a subagent. */
  parent?: string | null;
  sessionId?: string;
  agentId?: string;
  /** Provider implied by the format (Claude Code: anthropic; Codex: openai). */
  provider?: ProviderId;
  problems: SessionProblem[];
}

export type BreakCause = 'ttl' | 'compaction' | 'model' | 'tools' | 'system' | 'messages' | 'fork' | 'unexplained';

export interface CallBreak {
  cause: BreakCause;
  /** What an earlier call left in the cache that this call did not read. */
  lostTokens: number;
  /** Seconds since the call whose cache entry this call should have read; null when the log has no times. */
  gapSeconds: number | null;
  /** One sentence: what happened, from the log's markers, the provider's reason or the text diff. */
  explanation: string;
  /** Index of the earlier call whose entry was lost. */
  againstCall?: number;
  /** `ttl`: the lifetime that ran out (`5m`, `1h`, …). */
  ttl?: string;
  /** The provider's own miss reason, when the log carries one. */
  providerReason?: string;
  /** `messages`/`tools`/`system`: where the request first differs, e.g. `messages[41].content[0].text`. */
  segment?: string;
  /** Extra cost of this break in USD (the lost tokens paid as writes/uncached instead of reads). */
  costUsd?: number;
}

export interface PredictedUsage {
  /** Prompt tokens the request's text comes to (OpenAI chat: the provider's own rendering, tools included). */
  promptTokens: number;
  /** Tokens the provider's rule serves from cache, against the best earlier call. */
  cachedTokens: number;
  /** First token that differs from the best earlier call; null when nothing earlier shares a token or identical. */
  firstDivergentToken: number | null;
  /** Segment of the request the divergence falls in (`tools[3].description`, `messages[41].content[0].text`). */
  segment: string | null;
  /** The earlier call the prefix was compared with. */
  againstCall?: number | null;
  /** The log holds only part of the request (no tool schemas, no system prompt): counts are a lower bound. */
  partial?: boolean;
  /** Encoding the counts use, and why when it is a stand-in. */
  encoding?: string;
  encodingNote?: string;
  /** Predicted against reported, where both exist: differences and what explains them. */
  vsReported?: {
    promptTokens: number;
    cachedTokens: number;
    /** With a stand-in tokenizer: predicted cached tokens scaled to the provider's units (× reported / predicted prompt), less the reported read. */
    scaledCachedTokens?: number;
    explanation: string;
  };
}

export interface SessionCall {
  index: number;
  id: string;
  /** 1-based line in a JSONL log. */
  line?: number;
  /** 1-based entry in a whole-document log (HAR, export). */
  entry?: number;
  timestamp: string | null;
  model: string | null;
  reported: ReportedUsage | null;
  predicted: PredictedUsage | null;
  break: CallBreak | null;
  sidechain?: boolean;
  agentId?: string;
  compaction?: boolean;
  missReason?: string;
  costUsd?: number | null;
}

export interface CompactionWhatIf {
  /** The first call after the compaction. */
  callIndex: number;
  /** Tokens the compaction made the provider write (or process uncached) again. */
  writtenAgainTokens: number;
  /** Prompt tokens the calls after it did not have to carry (and read), summed. */
  savedTokens: number;
  /** The call where the savings paid for the rewrite, or null: "never within this session". */
  breakEvenCall: number | null;
  /** Net in USD over the rest of the session (positive: the compaction saved money), when prices are known. */
  netUsd?: number | null;
  explanation: string;
}

export interface SessionTotals {
  calls: number;
  callsWithUsage: number;
  breaks: number;
  lostTokens: number;
  byCause: Partial<Record<BreakCause, { breaks: number; lostTokens: number }>>;
  reported: { inputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; outputTokens: number; promptTokens: number };
  /** cacheRead / prompt. */
  hitRatio: number;
  /** lostTokens / prompt: the share of the input written again because of breaks. */
  writtenAgainShare: number;
  cost: { paidUsd: number | null; breaksUsd: number | null; withoutBreaksUsd: number | null; unpricedModels: string[] };
  compactions: CompactionWhatIf[];
  /** Masking earlier turns inside the prompt vs restarting from a summary: what this session's numbers favour. */
  strategy: { favours: 'masking' | 'summary' | 'unknown'; explanation: string };
  /** Predicted vs reported over the calls where both exist. */
  agreement: { calls: number; cachedWithin5Percent: number; meanAbsCachedDifference: number; explanation: string; /** Calls whose prediction saw part of the request only: not compared. */ partialCalls?: number } | null;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  models: string[];
}

/** One file read: JSON-serialisable as is (the CLI prints it, the extension posts it to the webview). */
export interface SessionAudit {
  file: string;
  source: SessionSourceKind;
  parent: string | null;
  sessionId?: string;
  agentId?: string;
  provider?: ProviderId;
  calls: SessionCall[];
  totals: SessionTotals;
  problems: SessionProblem[];
}
