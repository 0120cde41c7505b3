// Session tab, host side: its button runs Audit Session… (src/extension/sessions.ts), which posts the session's data.
import * as vscode from 'vscode';
import { Command } from '../../view/commandIds';
import type { HostTab } from '../panelTabs';

export const tab: HostTab<'session'> = {
  run: async () => {
    await vscode.commands.executeCommand(Command.AuditSession);
  },
};
