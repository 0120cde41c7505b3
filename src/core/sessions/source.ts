// The session logs behind the version-source seam (src/core/versions/index.ts): each call is a version of the
// request. Reading a version gives the request body (the captured one, or the conversation the log holds, as a
// Messages body), so the core's audit diffs two calls the way it diffs two saves of a prompt file.
import { auditVersions, type AuditDetails } from '../audit';
import type { VersionRef, VersionSource, VersionText } from '../versions';
import { MessagesLayout } from './render';
import type { ImportedCall, ImportedSession, SessionAudit } from './types';

export interface CallVersionRef extends VersionRef {
  callIndex: number;
}

/** The request text of a call: its captured body, or its history as `{"messages": […]}` (Anthropic-flavoured). */
export function requestTextOf(call: ImportedCall): string | null {
  if (call.request) return call.request.text;
  if (call.conversation) {
    const extra: Record<string, unknown> = { anthropic_version: '' };
    return JSON.stringify(MessagesLayout.body(call.conversation.tail, extra), null, 2);
  }
  return null;
}

export class RequestLogVersionSource implements VersionSource<CallVersionRef> {
  readonly kind = 'requestLog' as const;
  constructor(private readonly session: ImportedSession) {}

  async list(options: { max?: number; signal?: AbortSignal } = {}): Promise<CallVersionRef[]> {
    const refs = this.session.calls
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => c.request || c.conversation)
      .map(({ c, i }) => {
        const ref: CallVersionRef = { id: `${i}:${c.id}`, label: `call ${i}${c.model ? ` (${c.model})` : ''}`, fileName: 'request.json', callIndex: i };
        if (c.timestamp) ref.date = c.timestamp;
        return ref;
      });
    return options.max ? refs.slice(-options.max) : refs;
  }

  async read(ref: CallVersionRef): Promise<VersionText> {
    const call = this.session.calls[ref.callIndex];
    const text = call ? requestTextOf(call) : null;
    if (text === null) throw new Error(`${this.session.file}: call ${ref.callIndex} has no request text in the log`);
    return { ...ref, text };
  }
}

/**
 * A call's request diffed against the call it should have reused (by default the one the audit compared it with):
 * the core's full audit of the two versions, divergent token and segment included. Computed on demand only.
 */
export function requestDiff(session: ImportedSession, audit: SessionAudit, callIndex: number, againstIndex?: number): AuditDetails | null {
  const call = audit.calls[callIndex];
  if (!call) return null;
  const against = againstIndex ?? call.break?.againstCall ?? call.predicted?.againstCall ?? (callIndex > 0 ? callIndex - 1 : undefined);
  if (against === undefined || against === null) return null;
  const a = requestTextOf(session.calls[against]);
  const b = requestTextOf(session.calls[callIndex]);
  if (a === null || b === null) return null;
  const provider = session.calls[callIndex].provider ?? session.provider;
  return auditVersions(a, b, { fileName: 'request.json', provider, model: call.model ?? undefined, lint: false });
}
