// Gemini CLI sessions: ~/.gemini/tmp/<project hash>/chats/session-<time>-<id>.jsonl (a metadata line
// `{sessionId, projectHash, startTime}`, then message records `{id, timestamp, type, content, tokens?, model?}`,
// `{$set}` updates and `{$rewindTo: id}`), or the older whole-document `session-*.json` `{sessionId, projectHash,
// messages[]}` — as google-gemini/gemini-cli's chatRecordingService.ts writes them. A `gemini` message with `tokens`
// (`input` = promptTokenCount, cached included; `cached`, `output`, `thoughts`, `tool`) is one call; its request is
// the history before it. A record written again with the same id replaces the earlier one.
import { appendPieces } from '../conversation';
import { isObject, isoTime, str, type ImportContext, type LogImporter, type RecordReader, type SniffInput } from '../importer';
import type { ConversationNode, ImportedCall } from '../types';
import { normalizeUsage } from '../usage';

function sniff(input: SniffInput): number {
  for (const v of input.firstValues) if (isObject(v) && typeof v.sessionId === 'string' && typeof v.projectHash === 'string') return 0.9;
  return /"projectHash"\s*:/.test(input.headText.slice(0, 4096)) && /"messages"\s*:/.test(input.headText) ? 0.8 : 0;
}

function parts(content: unknown): unknown[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? { text: p } : p));
  if (isObject(content)) return [content];
  return [];
}

function createReader(ctx: ImportContext): RecordReader {
  const s = ctx.session;
  s.provider = 'gemini';
  let tail: ConversationNode | null = null;
  let turn = 0;
  const before = new Map<string, { tail: ConversationNode | null; turn: number }>();
  const callById = new Map<string, ImportedCall>();

  // `at` is where the message sits: a line of the .jsonl form, or messages[entry - 1] of the whole document (whose
  // file lines are not the messages').
  const message = (m: Record<string, unknown>, at: { line: number } | { entry: number }) => {
    const id = str(m.id) ?? ('line' in at ? `line-${at.line}` : `entry-${at.entry}`);
    const type = str(m.type);
    if (type !== 'user' && type !== 'gemini') return; // info, error, warning: shown to the user, not sent
    const known = callById.get(id);
    if (known) {
      // The same message written again (streamed, then finished): the last record wins.
      if (isObject(m.tokens)) known.usage = usageOf(m.tokens);
      return;
    }
    if (!before.has(id)) before.set(id, { tail, turn });
    const role = type === 'user' ? 'user' : 'model';
    if (type === 'gemini' && isObject(m.tokens)) {
      const call: ImportedCall = { id, ...at, timestamp: isoTime(m.timestamp), model: str(m.model), provider: 'gemini', usage: usageOf(m.tokens), conversation: { tail, layout: 'responses-input', partialNote: 'Gemini CLI logs the turns, not the system instruction or the tool declarations' } };
      callById.set(id, call);
      s.calls.push(call);
    }
    tail = appendPieces(tail, role, parts(m.content));
    for (let n: ConversationNode | null = tail, j = 0; n && n.piece.label === undefined && j < 1000; n = n.prev, j++) n.piece.label = `contents[${turn}]`;
    turn++;
    // Tool calls and their results go back as function calls and responses in the history.
    if (Array.isArray(m.toolCalls)) {
      for (const tc of m.toolCalls.filter(isObject)) {
        tail = appendPieces(tail, 'model', [{ functionCall: { name: tc.name, args: tc.args } }]);
        if (tail) tail.piece.label = `contents[${turn - 1}]`;
        tail = appendPieces(tail, 'user', [{ functionResponse: { name: tc.name, response: tc.result ?? null } }]);
        if (tail) tail.piece.label = `contents[${turn}]`;
      }
      if (m.toolCalls.length) turn++;
    }
  };

  return {
    record(v, line) {
      if (!isObject(v)) return;
      if (typeof v.$rewindTo === 'string') {
        const b = before.get(v.$rewindTo);
        tail = b ? b.tail : null;
        turn = b ? b.turn : 0;
        return;
      }
      if (isObject(v.$set)) return;
      if (typeof v.projectHash === 'string' && typeof v.sessionId === 'string') {
        s.sessionId ??= v.sessionId;
        if (Array.isArray(v.messages)) v.messages.filter(isObject).forEach((m, i) => message(m, { entry: i + 1 }));
        return;
      }
      if (typeof v.id === 'string') message(v, { line });
      else ctx.unknown('(record without id)', line);
    },
    finish() {},
  };
}

function usageOf(t: Record<string, unknown>) {
  return normalizeUsage({ promptTokenCount: t.input, cachedContentTokenCount: t.cached, candidatesTokenCount: t.output, thoughtsTokenCount: t.thoughts, toolUsePromptTokenCount: t.tool });
}

export const geminiCliImporter: LogImporter = { id: 'gemini-cli', label: 'Gemini CLI session', shape: 'auto', sniff, createReader };
