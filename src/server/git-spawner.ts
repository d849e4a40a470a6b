/**
 * Starts `git http-backend` processes from a small helper process instead of the server itself.
 * Forking copies the parent's page tables, so a spawn from the server costs time proportional to its
 * memory (measured here: ~45 µs per MB, 15 ms at 300 MB) during which its event loop stands still;
 * 20 clones at once would stall every rollback for most of a second. The helper is a bare Node
 * process (~40 MB) that forks instead, and hands each git process a Unix socket as its stdin and
 * stdout: the server writes the request body into that socket and reads the CGI response out of it,
 * and no byte passes through the helper.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The environment variables a request may set for git (the CGI ones, and git's protocol version). */
export const GIT_CGI_VARIABLES = [
  'PATH',
  'HOME',
  'GIT_PROJECT_ROOT',
  'GIT_HTTP_EXPORT_ALL',
  'PATH_INFO',
  'QUERY_STRING',
  'REQUEST_METHOD',
  'CONTENT_TYPE',
  'CONTENT_LENGTH',
  'HTTP_CONTENT_ENCODING',
  'GIT_PROTOCOL',
] as const;

export type GitCgiEnv = Partial<Record<(typeof GIT_CGI_VARIABLES)[number], string>>;

/** The only command the helper runs: read-only whatever the environment says. */
const COMMAND = ['-c', 'http.receivepack=false', '-c', 'http.uploadpack=true', 'http-backend'];

/**
 * The helper (plain CommonJS, run with `node -e`). Per connection on its socket it reads one JSON
 * line {id, env}, starts git in a process group of its own with that connection as stdin and stdout,
 * closes its own copy of the connection, and reports the pid and later the exit over IPC. The server
 * sends the request body only after the pid came back, so the helper never reads past that line.
 */
const HELPER_SOURCE = `
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const [socketPath, command, allowed] = JSON.parse(process.argv[1]);
const send = (message) => { if (process.connected) process.send(message); };
const server = net.createServer((socket) => {
  let line = Buffer.alloc(0);
  const onData = (chunk) => {
    line = Buffer.concat([line, chunk]);
    const end = line.indexOf(10);
    if (end < 0) { if (line.length > 65536) socket.destroy(); return; }
    socket.off('data', onData);
    socket.pause();
    let request;
    try { request = JSON.parse(line.subarray(0, end).toString('utf8')); } catch { return socket.destroy(); }
    const env = {};
    for (const name of allowed) if (typeof request.env[name] === 'string') env[name] = request.env[name];
    let child;
    try {
      child = spawn('git', command, { env, stdio: [socket, socket, 'pipe'], detached: true });
    } catch (error) {
      send({ type: 'failed', id: request.id, message: String(error && error.message) });
      return socket.destroy();
    }
    socket.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => { if (stderr.length < 4096) stderr += chunk.toString('utf8'); });
    child.on('error', (error) => send({ type: 'failed', id: request.id, message: String(error.message) }));
    if (child.pid !== undefined) send({ type: 'spawned', id: request.id, pid: child.pid });
    child.on('close', (code, signal) => send({ type: 'exit', id: request.id, code, signal, stderr: stderr.slice(0, 4096) }));
  };
  socket.on('data', onData);
  socket.on('error', () => {});
});
server.listen(socketPath, () => send({ type: 'ready' }));
// The server went away (or stopped it): its socket directory goes too.
process.on('disconnect', () => {
  try { fs.rmSync(path.dirname(socketPath), { recursive: true, force: true }); } catch {}
  process.exit(0);
});
`;

export interface GitExit {
  code: number | null;
  signal: string | null;
  stderr: string;
}

export interface RunningGit {
  pid: number;
  /** The process's stdin and stdout: write the request body and end() it; read the CGI response. */
  io: net.Socket;
  /** Resolves when the process exited (signal SIGKILL if the helper itself went away). */
  exited: Promise<GitExit>;
  /** Kills the process and everything it started (upload-pack, pack-objects). */
  kill(): void;
}

type HelperMessage =
  | { type: 'ready' }
  | { type: 'spawned'; id: number; pid: number }
  | { type: 'exit'; id: number; code: number | null; signal: string | null; stderr: string }
  | { type: 'failed'; id: number; message: string };

interface Pending {
  spawned(pid: number): void;
  exit(result: GitExit): void;
  failed(error: Error): void;
}

interface Helper {
  process: ChildProcess;
  socketPath: string;
  ready: Promise<void>;
}

export function killProcessGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Resolves once no process of the group is left, or after `timeoutMs`. SIGKILL of a group returns
 * before the kernel has ended each member; a grandchild (pack-objects under upload-pack) may outlive
 * the leader whose exit we are told about by a few milliseconds.
 */
export async function processGroupGone(pid: number, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export class GitSpawner {
  private helper: Helper | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Spawns asked for and processes running. */
  private busy = 0;
  /** A private directory (0700) for the helper's socket: no other user can ask it for anything. */
  private directory: string | null = null;

  /** Starts `git http-backend` with `env`; resolves once it runs. */
  async spawn(env: GitCgiEnv): Promise<RunningGit> {
    const helper = this.helper ?? (this.helper = this.startHelper());
    let done = false;
    const finish = () => {
      if (!done) this.hold(-1);
      done = true;
    };
    this.hold(+1);
    try {
      await helper.ready;
    } catch (error) {
      finish();
      throw error;
    }
    const id = this.nextId++;
    const io = net.connect({ path: helper.socketPath, allowHalfOpen: true });
    let onExit!: (result: GitExit) => void;
    const exited = new Promise<GitExit>((resolve) => (onExit = resolve));
    const pid = await new Promise<number>((resolve, reject) => {
      const fail = (error: Error) => {
        this.pending.delete(id);
        finish();
        io.destroy();
        reject(error);
      };
      io.once('error', fail);
      this.pending.set(id, {
        spawned: (pid) => {
          io.off('error', fail);
          resolve(pid);
        },
        exit: (result) => {
          this.pending.delete(id);
          finish();
          onExit(result);
        },
        failed: fail,
      });
      io.write(`${JSON.stringify({ id, env })}\n`);
    });
    return { pid, io, exited, kill: () => killProcessGroup(pid) };
  }

  /** Ends the helper (running git processes are the caller's to kill) and removes its socket. */
  async stop(): Promise<void> {
    const helper = this.helper;
    this.helper = null;
    if (helper && helper.process.exitCode === null && helper.process.signalCode === null) {
      const gone = new Promise((resolve) => helper.process.once('exit', resolve));
      helper.process.kill('SIGKILL');
      await gone;
    }
    if (this.directory) fs.rmSync(this.directory, { recursive: true, force: true });
    this.directory = null;
  }

  private startHelper(): Helper {
    this.directory ??= fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-git-'));
    const socketPath = path.join(this.directory, `helper-${this.nextId}.sock`);
    const child = spawn(process.execPath, ['-e', HELPER_SOURCE, JSON.stringify([socketPath, COMMAND, GIT_CGI_VARIABLES])], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: { PATH: process.env.PATH },
    });
    const ready = new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', () => reject(new Error('the git spawner exited before it was ready')));
      child.on('message', (message: HelperMessage) => {
        if (message.type === 'ready') return resolve();
        const pending = this.pending.get(message.id);
        if (!pending) return;
        if (message.type === 'spawned') pending.spawned(message.pid);
        else if (message.type === 'exit') pending.exit({ code: message.code, signal: message.signal, stderr: message.stderr });
        else pending.failed(new Error(`cannot run git http-backend: ${message.message}`));
      });
    });
    ready.catch(() => undefined);
    child.once('exit', () => {
      if (this.helper?.process === child) this.helper = null;
      // Whatever it was running is out of reach now: report those processes as gone.
      for (const pending of this.pending.values()) {
        pending.failed(new Error('the git spawner exited'));
        pending.exit({ code: null, signal: 'SIGKILL', stderr: '' });
      }
      this.pending.clear();
    });
    const helper = { process: child, socketPath, ready };
    this.hold(0, helper);
    return helper;
  }

  /** The helper keeps the server's process alive only while it has work: an idle one never holds up an exit. */
  private hold(delta: number, helper: Helper | null = this.helper): void {
    this.busy += delta;
    if (!helper) return;
    const channel = helper.process.channel as { ref?: () => void; unref?: () => void } | undefined;
    if (this.busy > 0) {
      helper.process.ref();
      channel?.ref?.();
    } else {
      helper.process.unref();
      channel?.unref?.();
    }
  }
}
