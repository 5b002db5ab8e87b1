/** Where a command writes: human text by default, one JSON document with `--json`. */
export interface Printer {
  readonly json: boolean;
  /** Prints the result: `human()` as text, or `data` as JSON. */
  result(data: unknown, human: () => string): void;
  /** A note for people (stderr; silent in JSON mode so stdout stays parseable). */
  note(text: string): void;
}

export interface Streams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processStreams: Streams = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

export function createPrinter(json: boolean, streams: Streams = processStreams): Printer {
  return {
    json,
    result(data, human) {
      streams.stdout(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
    },
    note(text) {
      if (!json) streams.stderr(`${text}\n`);
    },
  };
}
