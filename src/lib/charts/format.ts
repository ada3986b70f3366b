/** Number formatting shared by charts, tooltips and tables (so the table shows exactly what the chart says). */
export function pct(v: number, digits = 2): string {
  return `${(v * 100).toFixed(digits)}%`;
}
export function dec(v: number, digits = 4): string {
  return v.toFixed(digits);
}
/** Shortest faithful text for a value as it appears in a data file (e.g. 0.1742 -> "0.1742"). */
export function raw(v: number): string {
  return String(v);
}
export function int(v: number): string {
  return v.toLocaleString('en-US');
}
/** "resnet152" -> "ResNet152". */
export function archLabel(a: string): string {
  return a.replace(/^resnet/i, 'ResNet');
}
