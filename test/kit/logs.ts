/** A pino logger writing JSON lines into an array, for tests that assert what the server logs. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loggerOptions } from '../../src/logger';

export function capturingLogger(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino(loggerOptions(level), stream), lines };
}
