import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('dependency boundaries', () => {
  it('never depends on tfjs, the trainer or the collector; onnxruntime-node only as an optional peer', () => {
    const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    const runtimeDependencies = Object.keys(manifest.dependencies ?? {});
    expect(runtimeDependencies.filter((name) => /tensorflow|onnxruntime|learning-trainer|learning-collector/.test(name))).toEqual([]);
    expect(manifest.peerDependenciesMeta?.['onnxruntime-node']).toEqual({ optional: true });
  });

  it('imports tfjs nowhere in its source, and onnxruntime-node only by dynamic import', () => {
    for (const file of sourceFiles(join(packageRoot, 'src'))) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from ['"]@tensorflow/);
      expect(text, file).not.toMatch(/from ['"]onnxruntime-node['"]/);
      expect(text, file).not.toMatch(/@orchestra\/learning-(trainer|collector)|@orchestra\/[a-z-]+\/src/);
    }
  });
});
