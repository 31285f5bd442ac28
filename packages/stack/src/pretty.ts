import { prettyFactory } from 'pino-pretty';

/**
 * Prints the stack's lines: JSON log lines made readable when a person watches a terminal,
 * everything passed through unchanged otherwise (for tools and log collectors).
 */
export function prettyLines(out: NodeJS.WriteStream): (line: string) => void {
  if (!out.isTTY) return (line) => out.write(`${line}\n`);
  const pretty = prettyFactory({ colorize: true, ignore: 'pid,hostname', messageKey: 'msg', singleLine: true });
  return (line) => {
    if (line.startsWith('{')) {
      try {
        out.write(pretty(JSON.parse(line) as object));
        return;
      } catch {
        // not JSON after all
      }
    }
    out.write(`${line}\n`);
  };
}
