import type { ModuleStore } from "@mozaiks/contracts";

/** The store of one module transaction, plus what the host itself runs inside it. */
export interface ModuleTx extends ModuleStore {
  /** Runs a script of statements without parameters (a migration file). */
  exec(sql: string): Promise<void>;
  /** Throws once the transaction is over (committed, rolled back or refused). */
  assertOpen(): void;
}

/** What a transaction's store runs its statements on (the engine's connection or client). */
export type TxStatements = Omit<ModuleTx, "assertOpen">;

/**
 * The module store handed to a handler for one transaction: every call first checks that the
 * transaction is still open, so a handler that goes on after its transaction ended (rolled
 * back, or refused on SQLite for awaiting something else) can never write outside it. The
 * calls are `async`, so a refused or failing statement is always a rejection, never a throw.
 */
export function transactionStore(on: TxStatements, isOpen: () => boolean, what: string): ModuleTx {
  const assertOpen = () => {
    if (!isOpen()) {
      throw new Error(`${what}: its transaction is over; store calls and emits after it are refused`);
    }
  };
  return {
    assertOpen,
    run: async (sql, params) => {
      assertOpen();
      return on.run(sql, params);
    },
    get: async <T>(sql: string, params?: ReadonlyArray<unknown>) => {
      assertOpen();
      return on.get<T>(sql, params);
    },
    all: async <T>(sql: string, params?: ReadonlyArray<unknown>) => {
      assertOpen();
      return on.all<T>(sql, params);
    },
    exec: async (sql) => {
      assertOpen();
      return on.exec(sql);
    },
  };
}
