// Installs what the end-to-end suite needs, idempotently: Debian packages (only the missing ones) and
// code-server 4.100.3 (the last release that runs on Node 20) in .vscode-test/, git-ignored.
// Pitfalls handled (see /work/shared/guides/vscode-e2e.md): npm 11 skips dependency install scripts
// unless allowed; @vscode/ripgrep downloads rg from GitHub unless its cache holds a tarball;
// node-pty's `npx node-gyp` aborts without a TTY; code-server's postinstall refuses root without
// unsafe-perm.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, rmSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
export const ROOT = resolve(__dirname, '../..');
export const CODE_SERVER_DIR = join(ROOT, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
export const CODE_SERVER_BIN = join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const PACKAGE_DIR = join(CODE_SERVER_DIR, 'node_modules', 'code-server');
/** Written last: its presence means a complete install. */
const DONE_MARKER = join(CODE_SERVER_DIR, '.installed');

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: opts.cwd, env: opts.env ?? process.env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

function dpkgInstalled(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

export function ensureAptPackages(): void {
  const missing = ['chromium', 'libkrb5-dev', 'ripgrep'].filter((p) => !dpkgInstalled(p));
  if (missing.length === 0) return;
  console.log(`e2e setup: apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', ...missing], { env });
}

/** @vscode/ripgrep's postinstall looks in its download cache first: give it Debian's rg (13.0.0 too). */
function seedRipgrepCache(): void {
  const cache = join(tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const tarball = join(cache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (existsSync(tarball)) return;
  mkdirSync(cache, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'ta-rg-'));
  try {
    copyFileSync('/usr/bin/rg', join(staging, 'rg'));
    execFileSync('tar', ['-czf', `${tarball}.tmp`, '-C', staging, 'rg']);
    execFileSync('mv', [`${tarball}.tmp`, tarball]);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export function ensureCodeServer(): void {
  if (existsSync(DONE_MARKER) && existsSync(CODE_SERVER_BIN)) return;
  console.log(`e2e setup: installing code-server@${CODE_SERVER_VERSION} into ${CODE_SERVER_DIR} (about 2 minutes)`);
  seedRipgrepCache();
  mkdirSync(CODE_SERVER_DIR, { recursive: true });
  writeFileSync(join(CODE_SERVER_DIR, 'package.json'), JSON.stringify({ name: 'triplet-audit-e2e-code-server', private: true }, null, 2));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // npm 11 runs no dependency install scripts unless allowed; the variable reaches the nested
    // `npm install` that code-server's postinstall runs in lib/vscode, too.
    npm_config_dangerously_allow_all_scripts: 'true',
    npm_config_yes: 'true',
    npm_config_unsafe_perm: 'true',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  };
  run('npm', ['install', '--no-save', '--foreground-scripts', `code-server@${CODE_SERVER_VERSION}`], { cwd: CODE_SERVER_DIR, env });
  // If npm skipped code-server's own postinstall anyway, run it ourselves (it reads the user agent).
  if (!existsSync(join(PACKAGE_DIR, 'lib', 'vscode', 'node_modules.asar'))) {
    console.log('e2e setup: running code-server postinstall explicitly');
    run('sh', ['./postinstall.sh'], { cwd: PACKAGE_DIR, env: { ...env, npm_config_user_agent: `npm/11 node/${process.version} linux x64` } });
  }
  const rg = join(PACKAGE_DIR, 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  const pty = join(PACKAGE_DIR, 'lib', 'vscode', 'node_modules', 'node-pty', 'build', 'Release', 'pty.node');
  for (const f of [CODE_SERVER_BIN, rg, pty]) if (!existsSync(f)) throw new Error(`code-server install incomplete: ${f} missing`);
  writeFileSync(DONE_MARKER, `${new Date().toISOString()}\n`);
}

if (require.main === module) {
  ensureAptPackages();
  ensureCodeServer();
  console.log('e2e setup: ready');
}
