/** Words that carry no class information and only dilute token statistics. */
const stopWords = new Set([
  'a', 'an', 'the', 'of', 'to', 'in', 'on', 'for', 'and', 'or', 'with', 'by', 'at', 'from', 'as', 'is', 'be', 'it',
  'this', 'that', 'into', 'when', 'if', 'are', 'was', 'de', 'la', 'el', 'en', 'los', 'las', 'y', 'un', 'una', 'del',
  'al', 'para', 'con', 'por', 'que',
]);

/** Splits camelCase / PascalCase identifiers so `defineModel` also yields `define` and `model`. */
function splitIdentifier(word: string): string[] {
  const parts = word.split(/(?<=[a-z0-9])(?=[A-Z])/u);
  return parts.length > 1 ? parts.map((part) => part.toLowerCase()) : [];
}

/**
 * Lower-cased word tokens of a text for the learned classifier: letters (accents kept) and digits, version numbers
 * folded to `<version>`, plain numbers to `<number>`, camelCase identifiers also split into their parts.
 */
export function wordTokens(text: string): string[] {
  const tokens: string[] = [];
  const raw = text.match(/[\p{L}\p{N}][\p{L}\p{N}._@/-]*/gu) ?? [];
  for (const item of raw) {
    const trimmed = item.replace(/[._/-]+$/u, '');
    if (/^v?\d+(\.\d+)+/u.test(trimmed)) {
      tokens.push('<version>');
      continue;
    }
    if (/^\d+$/u.test(trimmed)) {
      tokens.push('<number>');
      continue;
    }
    for (const piece of trimmed.split(/[._/-]+/u)) {
      if (piece === '') continue;
      const lower = piece.toLowerCase();
      tokens.push(lower);
      for (const part of splitIdentifier(piece)) if (part !== lower && part.length > 1) tokens.push(part);
    }
  }
  return tokens;
}

/** Classifier features: unigrams (without stop words) and bigrams of adjacent words (with them, for phrases). */
export function classifierFeatures(text: string): string[] {
  const words = wordTokens(text);
  const features: string[] = [];
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index]!;
    if (!stopWords.has(word)) features.push(word);
    if (index > 0) features.push(`${words[index - 1]} ${word}`);
  }
  if (words.length > 0) features.push(`^${words[0]}`);
  return features;
}
