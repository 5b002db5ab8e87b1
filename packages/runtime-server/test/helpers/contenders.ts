import { type ChildProcess, fork } from "node:child_process";

/** A contender: a separate Node process with its own connections, driven over IPC. */
export interface Contender<Cmd, Reply> {
  child: ChildProcess;
  /** Sends `cmd` and resolves with the process's next message (rejects if it exits first). */
  send(cmd: Cmd): Promise<Reply>;
}

/**
 * Forks `script` (TypeScript, run through tsx from source) with `db` as its argument and resolves
 * once it reports ready. Concurrency tests use several, so that contenders really run at once.
 */
export function spawnContender<Cmd, Reply>(script: string, db: string): Promise<Contender<Cmd, Reply>> {
  const child = fork(script, [db], {
    execArgv: ["--conditions=@mozaiks/source", "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, MOZAIKS_CONTENDER: "1" },
  });
  const next = () =>
    new Promise<Reply>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`contender exited with ${code}`));
      child.once("exit", exited);
      child.once("message", (m) => {
        child.off("exit", exited);
        resolve(m as Reply);
      });
    });
  return next().then(() => ({
    child,
    send(cmd) {
      const reply = next();
      child.send(cmd as object);
      return reply;
    },
  }));
}

/** Asks every contender to exit and waits until each has. */
export async function stopContenders(contenders: ReadonlyArray<Contender<{ op: "exit" }, unknown>>) {
  await Promise.all(
    contenders.map(
      (c) =>
        new Promise<void>((done) => {
          if (c.child.exitCode !== null) return done();
          c.child.once("exit", () => done());
          c.child.send({ op: "exit" });
        }),
    ),
  );
}
