// code-server (VS Code served to a browser) for the e2e tests: isolated dirs, extension install, start on a
// free loopback port, stop with its whole process group, and the extension host's memory.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const HOST = '127.0.0.1'; // loopback only

export function codeServerEntry(repoRoot) {
  const entry = path.join(process.env.E2E_DIR ?? path.join(repoRoot, '.e2e', 'code-server'), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(entry)) throw new Error(`code-server is not installed (${entry}); run: npm run e2e:setup`);
  return entry;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Every directory code-server and VS Code write to, inside `tmp`, so nothing touches ~/. */
export function isolatedDirs(tmp, userSettings) {
  const dirs = {
    tmp,
    data: path.join(tmp, 'xdg-data'),
    config: path.join(tmp, 'xdg-config'),
    userData: path.join(tmp, 'user-data'),
    extensions: path.join(tmp, 'extensions'),
    logs: path.join(tmp, 'logs'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify(userSettings, null, 2));
  writeFileSync(path.join(dirs.config, 'code-server.yaml'), 'auth: none\ncert: false\n');
  return dirs;
}

function env(dirs) {
  return {
    ...process.env,
    XDG_DATA_HOME: dirs.data,
    XDG_CONFIG_HOME: dirs.config,
    HOME: process.env.HOME,
    // No proxy: everything stays on loopback.
    HTTP_PROXY: '',
    HTTPS_PROXY: '',
    http_proxy: '',
    https_proxy: '',
  };
}

function commonArgs(dirs) {
  return [
    '--config', path.join(dirs.config, 'code-server.yaml'),
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
  ];
}

export function installExtension(entry, dirs, vsix) {
  const r = spawnSync(process.execPath, [entry, ...commonArgs(dirs), '--force', '--install-extension', vsix], {
    env: env(dirs),
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`--install-extension failed (exit ${r.status}):\n${out}`);
  }
  return out.trim();
}

export function listExtensions(entry, dirs) {
  const r = spawnSync(process.execPath, [entry, ...commonArgs(dirs), '--list-extensions', '--show-versions'], {
    env: env(dirs),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return r.stdout.split('\n').map((s) => s.trim()).filter((s) => /^[\w-]+\.[\w-]+@/.test(s));
}

/** Starts code-server in its own process group; resolves once it answers HTTP. */
export async function startCodeServer(entry, dirs, workspace) {
  const port = await freePort();
  const logPath = path.join(dirs.logs, 'code-server.log');
  const log = createWriteStream(logPath);
  const args = [
    entry,
    ...commonArgs(dirs),
    '--auth', 'none',
    '--bind-addr', `${HOST}:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    workspace,
  ];
  const proc = spawn(process.execPath, args, { env: env(dirs), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  let exited = null;
  proc.on('exit', (code, signal) => (exited = { code, signal }));

  const url = `http://${HOST}:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}); see ${logPath}`);
    try {
      const res = await fetch(`${url}healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer on ${url} within 60 s; see ${logPath}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    port,
    url,
    pid: proc.pid,
    logPath,
    workspaceUrl: `${url}?folder=${encodeURIComponent(workspace)}`,
    async stop() {
      await killGroup(proc.pid, () => exited !== null);
      log.end();
    },
  };
}

/** SIGTERM the process group, then SIGKILL what is left of it after a grace period. */
export async function killGroup(pid, hasExited = () => false) {
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 5000;
  while (alive() && Date.now() < deadline) {
    if (hasExited() && !alive()) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (alive()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Processes descended from `rootPid`: pid, ppid, RSS (KB) and command line. */
export function descendants(rootPid) {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,args='], { encoding: 'utf8' });
  const procs = out
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter(Boolean)
    .map((m) => ({ pid: +m[1], ppid: +m[2], rssKB: +m[3], args: m[4] }));
  const keep = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (!keep.has(p.pid) && keep.has(p.ppid)) {
        keep.add(p.pid);
        grew = true;
      }
    }
  }
  return procs.filter((p) => keep.has(p.pid) && p.pid !== rootPid);
}

/** The extension host of the server started at `rootPid` (a node child run with --type=extensionHost). */
export function extensionHost(rootPid) {
  const hosts = descendants(rootPid).filter((p) => p.args.includes('--type=extensionHost'));
  // One window is open, so one host holds the extensions; a short-lived host (a reconnect, a helper started by
  // code-server) can show up beside it, so take the largest rather than the newest.
  return hosts.sort((a, b) => b.rssKB - a.rssKB)[0];
}

/** RSS in MB of a process and all its descendants (the extension host's worker threads are threads,
 * but a worker spawned as a child process would be counted too). */
export function rssMB(pid) {
  const children = descendants(pid);
  const own = execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  const ownKB = Number(own) || 0;
  return {
    hostMB: ownKB / 1024,
    withChildrenMB: (ownKB + children.reduce((s, p) => s + p.rssKB, 0)) / 1024,
  };
}
