// Every command id of the extension, in one place: package.json declares the same list (a unit test compares them),
// and code, menus, hovers and tooltips refer to these names instead of string literals. No `vscode` import, so the
// view code (tooltip links) and the tests can read it.
export const Command = {
  AuditCurrentFile: 'promptCache.auditCurrentFile',
  AuditWorkspace: 'promptCache.auditWorkspace',
  CompareWithGitRevision: 'promptCache.compareWithGitRevision',
  CompareWithLastSave: 'promptCache.compareWithLastSave',
  ShowHeatmap: 'promptCache.showHeatmap',
  MeasureRecomputeTime: 'promptCache.measureRecomputeTime',
  SelectProvider: 'promptCache.selectProvider',
  SelectEncoding: 'promptCache.selectEncoding',
  ClearSavedVersions: 'promptCache.clearSavedVersions',
  RevealOffset: 'promptCache.revealOffset',
  RemoveByteOrderMark: 'promptCache.removeByteOrderMark',
  AuditSession: 'promptCache.auditSession',
} as const;

export type CommandId = (typeof Command)[keyof typeof Command];
export const COMMAND_IDS: readonly CommandId[] = Object.values(Command);
