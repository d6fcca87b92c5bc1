/** Splits camelCase / PascalCase identifiers so `defineModel` also yields `define` and `model`. */
function splitIdentifier(word: string): string[] {
  const parts = word.split(/(?<=[a-z0-9])(?=[A-Z])/u);
  return parts.length > 1 ? parts.map((part) => part.toLowerCase()) : [];
}

/** A raw word of a text as `wordTokens` reads it: a letter or digit, then letters, digits and `._@/-`. */
export const rawWordPattern = /[\p{L}\p{N}][\p{L}\p{N}._@/-]*/gu;

/** The tokens of one raw word (`rawWordPattern`), appended to `tokens`. */
export function rawWordTokens(item: string, tokens: string[]): void {
  const trimmed = item.replace(/[._/-]+$/u, '');
  if (/^v?\d+(\.\d+)+/u.test(trimmed)) {
    tokens.push('<version>');
    return;
  }
  if (/^\d+$/u.test(trimmed)) {
    tokens.push('<number>');
    return;
  }
  for (const piece of trimmed.split(/[._/-]+/u)) {
    if (piece === '') continue;
    const lower = piece.toLowerCase();
    tokens.push(lower);
    for (const part of splitIdentifier(piece)) if (part !== lower && part.length > 1) tokens.push(part);
  }
}

/**
 * Lower-cased word tokens of a text for the learned classifier: letters (accents kept) and digits, version numbers
 * folded to `<version>`, plain numbers to `<number>`, camelCase identifiers also split into their parts.
 */
export function wordTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const item of text.match(rawWordPattern) ?? []) rawWordTokens(item, tokens);
  return tokens;
}
