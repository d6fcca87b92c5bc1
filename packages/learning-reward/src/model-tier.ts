/** True when `model` contains one of `patterns` (case-insensitive). */
export function matchesModel(model: string, patterns: readonly string[]): boolean {
  const lower = model.toLowerCase();
  return patterns.some((pattern) => lower.includes(pattern.toLowerCase()));
}
