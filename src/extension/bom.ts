// A UTF-8 byte order mark never reaches the extension: VS Code strips it from TextDocument.getText() and writes it
// back on save (encoding "UTF-8 with BOM"). Loaders that read the file as bytes may keep it as the prompt's first
// character, so the BOM is read from disk here, reported, and removed by rewriting the file's bytes (a text edit
// cannot remove what the document does not contain).
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { Command } from '../view/commandIds';

const BOM = [0xef, 0xbb, 0xbf] as const;
export const REMOVE_BOM_COMMAND = Command.RemoveByteOrderMark;

/** True when the file on disk starts with a UTF-8 BOM (false when it cannot be read, or is not a local file). */
export async function startsWithBomOnDisk(uri: vscode.Uri): Promise<boolean> {
  if (uri.scheme !== 'file') return false;
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(uri.fsPath, 'r');
    const head = Buffer.alloc(3);
    const { bytesRead } = await handle.read(head, 0, 3, 0);
    return bytesRead === 3 && BOM.every((b, i) => head[i] === b);
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/** Saves pending edits, rewrites the file without its BOM and reloads it, so VS Code's encoding becomes plain UTF-8. */
export async function removeBom(uri: vscode.Uri): Promise<boolean> {
  if (!vscode.workspace.isTrusted || uri.scheme !== 'file') return false;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty && !(await doc.save())) return false;
  const bytes = await vscode.workspace.fs.readFile(uri);
  if (!(bytes.length >= 3 && BOM.every((b, i) => bytes[i] === b))) return false;
  await vscode.workspace.fs.writeFile(uri, bytes.subarray(3));
  // Reload from disk: the document keeps its text, and the encoding is detected anew (no BOM on the next save).
  const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  if (editor) {
    await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  return true;
}
