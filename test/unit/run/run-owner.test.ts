import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { checkLocalOwner, currentProcess, processState, type RunOwner } from '../../../src/run/index.js';

const host = hostname();
const hourMs = 3_600_000;

/** A child process that lives until killed, and the moment it was started (within a few ms). */
async function liveChild(): Promise<{ child: ChildProcess; startedAt: Date }> {
  const startedAt = new Date();
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await once(child, 'spawn');
  return { child, startedAt };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

describe('process identity: is the owner of a run still there?', () => {
  it('this process is alive, and so is another process started when its identity says', async () => {
    expect(processState(currentProcess())).toBe('alive');
    const { child, startedAt } = await liveChild();
    try {
      expect(processState({ host, pid: child.pid!, startedAt })).toBe('alive');
    } finally {
      await stop(child);
    }
  });

  it('a process that has exited is gone', async () => {
    const { child, startedAt } = await liveChild();
    await stop(child);
    expect(processState({ host, pid: child.pid!, startedAt })).toBe('gone');
  });

  it('a live pid that started at another moment is a different process (a reused pid), so the owner is gone', async () => {
    const { child, startedAt } = await liveChild();
    try {
      const earlier = new Date(startedAt.getTime() - hourMs);
      expect(processState({ host, pid: child.pid!, startedAt: earlier })).toBe('gone');
      expect(processState({ ...currentProcess(), startedAt: earlier })).toBe('gone');
    } finally {
      await stop(child);
    }
  });

  it('a process on another host cannot be looked at', () => {
    expect(processState({ ...currentProcess(), host: `${host}-elsewhere` })).toBe('unknown');
  });
});

describe('checkLocalOwner', () => {
  const here = currentProcess();
  const owner = (process: Partial<RunOwner['process']>): RunOwner => ({
    execution: 'private-queue',
    process: { ...here, ...process },
  });

  it('leaves a run whose process lives, and names the dead process of one whose process is gone', async () => {
    expect(checkLocalOwner(owner({}), { here })).toEqual({ state: 'alive' });
    const { child, startedAt } = await liveChild();
    await stop(child);
    expect(checkLocalOwner(owner({ pid: child.pid!, startedAt }), { here })).toEqual({
      state: 'gone',
      why: `its process (pid ${child.pid} on host ${host}, started ${startedAt.toISOString()}) ended before the run finished`,
    });
  });

  it('cannot tell for an owner on another host, or a run that records none', () => {
    expect(checkLocalOwner(owner({ host: 'db2' }), { here })).toEqual({
      state: 'unknown',
      why: 'its process runs on host db2; a command there can tell whether it still runs',
    });
    expect(checkLocalOwner(undefined, { here })).toMatchObject({ state: 'unknown' });
  });

  it('holding the database alone (the embedded data directory lock), every owner but this process is gone', () => {
    expect(checkLocalOwner(owner({}), { here, exclusive: true })).toEqual({ state: 'alive' });
    expect(checkLocalOwner(owner({ host: 'db2' }), { here, exclusive: true })).toMatchObject({
      state: 'gone',
    });
    expect(checkLocalOwner(undefined, { here, exclusive: true })).toMatchObject({ state: 'gone' });
  });
});
