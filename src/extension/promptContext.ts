// The `promptCache.isPromptFile` context key: true while a prompt file's editor, or the panel showing one, is
// active. Palette entries of file commands use it (package.json menus.commandPalette).
import * as vscode from 'vscode';

export const CONTEXT_IS_PROMPT_FILE = 'promptCache.isPromptFile';

let last: boolean | undefined;

export function setPromptFileContext(isPrompt: boolean): void {
  if (isPrompt === last) return; // setContext round-trips to the renderer: skip no-ops
  last = isPrompt;
  void vscode.commands.executeCommand('setContext', CONTEXT_IS_PROMPT_FILE, isPrompt);
}
