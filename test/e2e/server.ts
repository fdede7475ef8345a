// Starts code-server on 127.0.0.1 with a free port, in its own process group, with a fresh
// user-data and extensions folder under the run folder; stops the whole group on close().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CODE_SERVER_BIN } from './setup';

export interface CodeServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolveP, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolveP(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function dirs(runDir: string): { ud: string; exts: string; env: NodeJS.ProcessEnv; config: string } {
  const ud = join(runDir, 'user-data');
  const exts = join(runDir, 'extensions');
  const config = join(runDir, 'config.yaml');
  const env = { ...process.env, XDG_DATA_HOME: join(runDir, 'xdg-data'), XDG_CONFIG_HOME: join(runDir, 'xdg-config') };
  return { ud, exts, env, config };
}

function prepare(runDir: string): void {
  const { ud, exts, config } = dirs(runDir);
  mkdirSync(join(ud, 'User'), { recursive: true });
  mkdirSync(exts, { recursive: true });
  writeFileSync(config, 'auth: none\ncert: false\n');
  writeFileSync(join(ud, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'git.enabled': false,
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': false,
    'files.autoSave': 'off',
    'update.mode': 'none',
  }, null, 2));
}

export function installVsix(runDir: string, vsix: string): void {
  prepare(runDir);
  const { ud, exts, env, config } = dirs(runDir);
  const r = spawnSync(process.execPath, [CODE_SERVER_BIN, '--config', config, '--user-data-dir', ud, '--extensions-dir', exts,
    '--install-extension', vsix, '--force'], { env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`installing ${vsix} failed: ${r.stdout}${r.stderr}`);
}

export async function startCodeServer(runDir: string): Promise<CodeServer> {
  const { ud, exts, env, config } = dirs(runDir);
  const port = await freePort();
  const log = openSync(join(runDir, 'code-server.log'), 'a');
  const child: ChildProcess = spawn(process.execPath, [CODE_SERVER_BIN, '--config', config, '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--user-data-dir', ud, '--extensions-dir', exts], { cwd: runDir, env, detached: true, stdio: ['ignore', log, log] });
  const pgid = child.pid;
  if (pgid === undefined) throw new Error('code-server did not start');
  let exited = false;
  child.once('exit', () => { exited = true; });
  const close = async (): Promise<void> => {
    for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
      try { process.kill(-pgid, sig); } catch { return; } // group already gone
      for (let i = 0; i < 30; i++) {
        try { process.kill(-pgid, 0); } catch { return; }
        await sleep(100);
      }
    }
  };
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (exited) { await close(); throw new Error(`code-server exited early; see ${join(runDir, 'code-server.log')}`); }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() - t0 > 60_000) { await close(); throw new Error('code-server did not answer /healthz within 60 s'); }
    await sleep(250);
  }
  return { url, port, close };
}
