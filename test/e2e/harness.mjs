// A small sequential runner for steps that share one browser session: each step is timed, screenshotted,
// and counted as passed or failed; a failed step does not stop the ones after it unless it is `required`.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export class Suite {
  constructor({ resultsDir, page = null, beforeEach = null, only = null }) {
    this.only = only;
    this.beforeEach = beforeEach;
    this.resultsDir = resultsDir;
    this.page = page;
    this.results = [];
    this.aborted = null;
    mkdirSync(resultsDir, { recursive: true });
  }

  log(message) {
    const t = new Date().toISOString().slice(11, 19);
    console.log(`[e2e ${t}] ${message}`);
  }

  async screenshot(name) {
    if (!this.page) return null;
    const file = path.join(this.resultsDir, `${String(this.results.length + 1).padStart(2, '0')}-${name}.png`);
    try {
      await this.page.screenshot({ path: file });
      return file;
    } catch {
      return null;
    }
  }

  /** Runs one step. `fn` gets a context with `check(name, fn)` for named assertions inside the step. */
  async step(name, fn, { required = false, timeout = 120_000 } = {}) {
    // --only <regex>: run just the matching steps (plus the required set-up ones), for debugging.
    if (this.only && !required && !this.only.test(name)) return undefined;
    if (this.aborted) {
      this.results.push({ name, status: 'skipped', ms: 0, error: `skipped: ${this.aborted}` });
      this.log(`SKIP ${name}`);
      return undefined;
    }
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const started = performance.now();
    const checks = [];
    const ctx = {
      log: (m) => this.log(`  ${m}`),
      /** A named assertion: recorded, and the step fails if any fails (the step goes on after it). */
      check: async (checkName, checkFn) => {
        try {
          await checkFn();
          checks.push({ name: checkName, ok: true });
          this.log(`  ok   ${checkName}`);
        } catch (err) {
          checks.push({ name: checkName, ok: false, error: err?.message ?? String(err) });
          this.log(`  FAIL ${checkName}: ${firstLines(err?.message ?? String(err))}`);
        }
      },
      screenshot: (suffix) => this.screenshot(`${slug}-${suffix}`),
    };
    this.log(`---- ${name}`);
    let error = null;
    let value;
    try {
      if (this.beforeEach) await this.beforeEach();
      value = await withTimeout(fn(ctx), timeout, name);
    } catch (err) {
      error = err;
    }
    const ms = performance.now() - started;
    const shot = await this.screenshot(slug);
    const failedChecks = checks.filter((c) => !c.ok);
    const ok = !error && failedChecks.length === 0;
    const detail = error ? (error.stack ?? String(error)) : failedChecks.map((c) => `${c.name}: ${c.error}`).join('\n');
    this.results.push({ name, status: ok ? 'passed' : 'failed', ms, error: ok ? null : detail, checks, screenshot: shot });
    this.log(`${ok ? 'PASS' : 'FAIL'} ${name} (${(ms / 1000).toFixed(1)} s)${ok ? '' : `\n${indent(firstLines(detail, 12))}`}`);
    if (!ok && required) this.aborted = `required step "${name}" failed`;
    return value;
  }

  summary() {
    const passed = this.results.filter((r) => r.status === 'passed').length;
    const failed = this.results.filter((r) => r.status === 'failed').length;
    const skipped = this.results.filter((r) => r.status === 'skipped').length;
    console.log('\n==== e2e summary');
    for (const r of this.results) {
      const checks = r.checks?.length ? ` [${r.checks.filter((c) => c.ok).length}/${r.checks.length} checks]` : '';
      console.log(`${r.status.toUpperCase().padEnd(7)} ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${r.name}${checks}`);
      if (r.status === 'failed') {
        for (const c of r.checks?.filter((c) => !c.ok) ?? []) console.log(`          - ${c.name}: ${firstLines(c.error, 3)}`);
        if (!r.checks?.some((c) => !c.ok)) console.log(indent(firstLines(r.error, 4), 10));
      }
    }
    console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
    return { passed, failed, skipped };
  }
}

function firstLines(s, n = 2) {
  const lines = String(s ?? '').split('\n');
  return lines.slice(0, n).join('\n') + (lines.length > n ? ' …' : '');
}

function indent(s, n = 4) {
  return String(s).split('\n').map((l) => ' '.repeat(n) + l).join('\n');
}

function withTimeout(promise, ms, name) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`step "${name}" timed out after ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
