// Driving VS Code's workbench (as served by code-server) from playwright-core: command palette, quick open,
// editor typing, Problems view, status bar, notifications, code actions and webviews.
// Selectors are VS Code 1.100's DOM; each helper waits for the state it needs instead of sleeping.

export const MOD = 'Control'; // code-server on Linux: Ctrl keybindings

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; throws `message` (plus the last value seen) on timeout. */
export async function waitFor(fn, { timeout = 10_000, interval = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeout} ms waiting for ${message} (last seen: ${seen?.slice(0, 500)})`);
    }
    await sleep(interval);
  }
}

export async function waitForWorkbench(page, timeout = 60_000) {
  await page.waitForSelector('.monaco-workbench', { timeout });
  await page.waitForSelector('#workbench\\.parts\\.statusbar', { timeout });
  // The explorer lists the folder once the remote file system answers.
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout });
}

// ---------- quick input (palette, quick open, pickers) ----------

const QUICK_INPUT = '.quick-input-widget';

async function quickInputVisible(page) {
  return page.locator(QUICK_INPUT).isVisible().catch(() => false);
}

export async function closeQuickInput(page) {
  for (let i = 0; i < 3 && (await quickInputVisible(page)); i++) {
    await page.keyboard.press('Escape');
    await sleep(100);
  }
}

/** Labels of the rows currently shown in the quick input list. */
export async function quickInputRows(page) {
  return page.$$eval(`${QUICK_INPUT} .monaco-list-row`, (rows) =>
    rows.map((r) => ({
      label: (r.getAttribute('aria-label') ?? r.textContent ?? '').trim(),
      focused: r.classList.contains('focused'),
    })),
  );
}

/** Modal dialogs seen so far (e.g. "Command '…' resulted in an error"), for the test report. */
export const dialogsSeen = [];

/** Closes a modal dialog if one is open and returns its text (null when none). */
export async function dismissDialog(page) {
  const box = page.locator('.monaco-dialog-box');
  if (!(await box.isVisible().catch(() => false))) return null;
  const text = ((await box.textContent().catch(() => '')) ?? '').replace(/\s+/g, ' ').trim();
  dialogsSeen.push(text);
  // "Do you want to save the changes…?" (closing an edited file): a test never keeps its scratch edits.
  const dontSave = box.locator('.monaco-button', { hasText: "Don't Save" });
  if (/Do you want to save/i.test(text) && (await dontSave.count()) > 0) {
    await dontSave.first().click();
    await box.waitFor({ state: 'hidden', timeout: 2000 }).catch(() => {});
    return text;
  }
  await page.keyboard.press('Escape');
  await box.waitFor({ state: 'hidden', timeout: 2000 }).catch(async () => {
    await box.locator('.monaco-button').last().click().catch(() => {});
  });
  return text;
}

async function openPalette(page, prefix = '>') {
  const dialog = await dismissDialog(page);
  if (dialog) console.log(`[e2e]   (dismissed dialog: ${dialog})`);
  await closeQuickInput(page);
  await page.keyboard.press('F1');
  await page.waitForSelector(`${QUICK_INPUT} .quick-input-box input`, { state: 'visible', timeout: 10_000 });
  const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
  await input.fill(prefix);
  return input;
}

/** Titles of the palette's commands matching `filter` (what the user would see), then closes it. */
export async function paletteCommands(page, filter) {
  const input = await openPalette(page);
  await input.fill(`>${filter}`);
  // Let the filter settle: two consecutive reads that agree.
  let prev = null;
  const rows = await waitFor(
    async () => {
      const now = JSON.stringify((await quickInputRows(page)).map((r) => r.label));
      const stable = now === prev;
      prev = now;
      return stable ? JSON.parse(now) : null;
    },
    { timeout: 5000, interval: 250, message: 'palette list to settle' },
  );
  await closeQuickInput(page);
  return rows;
}

/** Runs a command by its palette title, e.g. "Prompt Cache: Audit Workspace". */
export async function runCommand(page, title, { timeout = 10_000 } = {}) {
  const input = await openPalette(page);
  await input.fill(`>${title}`);
  const norm = (s) => s.toLowerCase();
  const match = (label) => norm(label).startsWith(norm(title)) || norm(label).includes(`${norm(title)},`);
  const rows = await waitFor(
    async () => {
      const rs = await quickInputRows(page);
      return rs.some((r) => match(r.label)) ? rs : null;
    },
    { timeout, message: `palette entry "${title}"` },
  );
  const idx = rows.findIndex((r) => match(r.label));
  if (rows[idx].focused) {
    await page.keyboard.press('Enter');
  } else {
    await page.locator(`${QUICK_INPUT} .monaco-list-row`).nth(idx).click();
  }
  // A command that throws (or is not registered) shows a modal error: surface it as this call's failure.
  await sleep(300);
  const box = page.locator('.monaco-dialog-box');
  if (await box.isVisible().catch(() => false)) {
    const text = await dismissDialog(page);
    if (text && /resulted in an error|not found/i.test(text)) throw new Error(`"${title}": ${text}`);
  }
}

/** Answers an open quick pick by choosing the row whose label contains `text`. */
export async function pickQuickInput(page, text, { timeout = 10_000 } = {}) {
  await page.waitForSelector(`${QUICK_INPUT} .monaco-list-row`, { state: 'visible', timeout });
  const rows = await waitFor(async () => {
    const rs = await quickInputRows(page);
    return rs.some((r) => r.label.includes(text)) ? rs : null;
  }, { timeout, message: `quick pick row containing "${text}"` });
  const idx = rows.findIndex((r) => r.label.includes(text));
  await page.locator(`${QUICK_INPUT} .monaco-list-row`).nth(idx).click();
}

/** Opens a workspace file through Quick Open (Ctrl+P) and waits until its tab is active. */
export async function quickOpen(page, relativePath, { firstGroup = true } = {}) {
  await dismissDialog(page);
  // Open in the first editor group, so a panel shown beside it stays visible.
  if (firstGroup) await focusFirstGroup(page);
  await closeQuickInput(page);
  await page.keyboard.press(`${MOD}+P`);
  const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(relativePath);
  const base = relativePath.split('/').pop();
  await waitFor(
    async () => {
      const rs = await quickInputRows(page);
      return rs.length > 0 && rs[0].label.includes(base) && rs[0].focused;
    },
    { timeout: 10_000, message: `quick open result for ${relativePath}` },
  );
  await page.keyboard.press('Enter');
  await waitFor(async () => (await activeTabLabel(page)) === base, { timeout: 10_000, message: `active tab ${base}` });
  await page.waitForSelector('.editor-group-container.active .monaco-editor .view-lines', { timeout: 10_000 });
}

export async function activeTabLabel(page) {
  return page
    .locator('.editor-group-container.active .tab.active .label-name')
    .first()
    .textContent({ timeout: 1000 })
    .catch(() => null);
}

export async function closeAllEditors(page) {
  await runCommand(page, 'View: Close All Editors');
  // Unsaved scratch edits ask whether to save: not kept.
  await sleep(200);
  await dismissDialog(page);
  await waitFor(async () => (await page.locator('.tabs-container .tab').count()) === 0, { timeout: 5000, message: 'no open editors' });
}

// ---------- editor ----------

/** Focuses the active editor without moving its cursor (View: Focus Active Editor Group). */
export async function focusEditorKeepCursor(page) {
  await runCommand(page, 'View: Focus Active Editor Group');
}

export async function focusEditor(page) {
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click({ position: { x: 5, y: 5 } });
}

/** Moves the cursor to line:column (1-based) with Go to Line. */
export async function goToLine(page, line, column = 1) {
  await dismissDialog(page);
  await closeQuickInput(page);
  await page.keyboard.press(`${MOD}+G`);
  const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
  await input.waitFor({ state: 'visible', timeout: 5000 });
  await input.fill(`:${line}:${column}`);
  await sleep(100);
  await page.keyboard.press('Enter');
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 5000 });
}

export async function save(page) {
  await page.keyboard.press(`${MOD}+S`);
}

/** True while the active tab shows unsaved changes. */
export async function activeTabDirty(page) {
  return (await page.locator('.editor-group-container.active .tab.active.dirty').count()) > 0;
}

export async function waitSaved(page, timeout = 10_000) {
  await waitFor(async () => !(await activeTabDirty(page)), { timeout, message: 'the file to be saved' });
}

// ---------- status bar ----------

export async function statusBarItems(page) {
  return page.$$eval('#workbench\\.parts\\.statusbar .statusbar-item', (items) =>
    items.map((i) => ({ id: i.id, text: (i.textContent ?? '').trim(), aria: i.getAttribute('aria-label') ?? '' })),
  );
}

/** The extension's status bar item (its id starts with the extension id). */
export async function extensionStatusItem(page, extensionId) {
  const items = await statusBarItems(page);
  return items.find((i) => i.id.toLowerCase().startsWith(extensionId.toLowerCase())) ?? null;
}

// ---------- Problems view ----------

export async function openProblems(page) {
  if (!(await page.locator('.markers-panel').isVisible().catch(() => false))) {
    await runCommand(page, 'View: Focus Problems');
  }
  await page.waitForSelector('.markers-panel', { state: 'visible', timeout: 10_000 });
}

export async function setProblemsFilter(page, text) {
  await openProblems(page);
  const input = page.locator('.viewpane-filter input, .markers-panel-action-filter input').first();
  await input.fill(text);
  await sleep(300); // the view applies the filter after a short debounce
}

/** Rows of the Problems tree: files (with their problem counts) and problems (message + position). */
export async function problemRows(page) {
  await openProblems(page);
  return page.$$eval('.markers-panel .monaco-list-row', (rows) =>
    rows.map((r) => ({
      level: Number(r.getAttribute('aria-level') ?? 0),
      label: (r.getAttribute('aria-label') ?? '').trim(),
      text: (r.textContent ?? '').trim(),
    })),
  );
}

// ---------- notifications ----------

export async function notifications(page) {
  return page.$$eval('.notifications-toasts .notification-toast, .notifications-center .notification-list-item', (els) =>
    els.map((e) => (e.querySelector('.notification-list-item-message')?.textContent ?? e.textContent ?? '').trim()),
  );
}

export async function clearNotifications(page) {
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => {});
}

// ---------- code actions ----------

/** Opens the quick fix menu at the cursor (Ctrl+.) and returns the offered action titles. */
export async function openQuickFixes(page) {
  await page.keyboard.press(`${MOD}+.`);
  await page.waitForSelector('.action-widget .monaco-list-row', { state: 'visible', timeout: 10_000 });
  return page.$$eval('.action-widget .monaco-list-row', (rows) =>
    rows.map((r) => (r.getAttribute('aria-label') ?? r.textContent ?? '').trim()).filter(Boolean),
  );
}

/** Picks the quick fix whose title matches with the keyboard (the menu's pointer block swallows clicks). */
export async function chooseQuickFix(page, predicate) {
  const rows = page.locator('.action-widget .monaco-list-row');
  const titles = await rows.evaluateAll((els) => els.map((r) => (r.getAttribute('aria-label') ?? r.textContent ?? '').trim()));
  if (!titles.some(predicate)) throw new Error(`no matching quick fix among: ${JSON.stringify(titles)}`);
  for (let i = 0; i <= titles.length; i++) {
    const focused = ((await page.locator('.action-widget .monaco-list-row.focused').first().getAttribute('aria-label').catch(() => null)) ?? '').trim();
    if (focused && predicate(focused)) {
      await page.keyboard.press('Enter');
      await page.locator('.action-widget').waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
      return focused;
    }
    await page.keyboard.press('ArrowDown');
    await sleep(50);
  }
  await page.keyboard.press('Escape');
  throw new Error(`could not focus the quick fix among: ${JSON.stringify(titles)}`);
}

/** Closes menus and widgets (code action menu, hovers, quick input) left open by a failed step. */
export async function resetUi(page) {
  await dismissDialog(page);
  for (let i = 0; i < 3; i++) {
    const open = await page.locator('.action-widget, .context-view .monaco-menu, .quick-input-widget').evaluateAll((els) => els.some((e) => e.offsetParent !== null || getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().height > 0));
    if (!open) break;
    await page.keyboard.press('Escape');
    await sleep(150);
  }
}

export async function focusFirstGroup(page) {
  await runCommand(page, 'View: Focus First Editor Group');
}

// ---------- webviews ----------

/** The frame (code-server nests iframe.webview > iframe#active-frame) that contains `selector`. */
export async function findWebviewFrame(page, selector, timeout = 20_000) {
  return waitFor(
    async () => {
      for (const f of page.frames()) {
        if (f === page.mainFrame()) continue;
        const n = await f.locator(selector).count().catch(() => 0);
        if (n > 0) return f;
      }
      return null;
    },
    { timeout, interval: 250, message: `a webview frame with ${selector}` },
  );
}
