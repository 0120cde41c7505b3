// What each importer's source kind is called, for people: the CLI's `trace` header and the editor's Session tab.
// A module of its own (no importer code), so the panel's view-model can use it without bundling the importers.
export const SOURCE_LABELS: Record<string, string> = {
  'claude-code': 'Claude Code session',
  codex: 'Codex rollout',
  har: 'HAR capture',
  'request-log': 'request log',
  otlp: 'OTLP trace',
  'copilot-chat': 'Copilot Chat export',
  'gemini-cli': 'Gemini CLI session',
};
