/** A values.yaml grown to about `bytes` with distinct `settings.key_<n>` entries: large files for limits and benchmarks. */
export function withLargeSettings(original: string, bytes: number): string {
  const lines = ['settings:'];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `  key_${i}: "value number ${i} of a large configuration"`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${original.trimEnd()}\n${lines.join('\n')}\n`;
}
