// Overhead of @orchestra/learning-ai-sdk per model call, beside a bare AI SDK call on the same mock model.
//
//   pnpm --filter @orchestra/learning-ai-sdk bench [--sessions 100 --calls 50 --whole 300]
//
// Calls alternate one by one: a bare `generateText({ model: mock })`, then `generateText({ model:
// session.model('executor') })` inside a session (the decided model, the default per-attempt timeout armed, every
// attempt tracked), so both see the same machine load and garbage collector. Medians (and quartiles) of the per-call
// times are compared: a mean mostly measures GC pauses and other processes on a shared machine (printed too). A
// session's own cost (decide, and record: building the design's session, reward, append to the experience buffer) is
// measured separately, per session of one call.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateText } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { createLearning } from '@orchestra/learning';
import { createAiSdkLearning, type LanguageModelV4GenerateResult } from '../src/index';

const { values } = parseArgs({ options: { sessions: { type: 'string', default: '100' }, calls: { type: 'string', default: '50' }, whole: { type: 'string', default: '300' } } });
const sessions = Number(values.sessions);
const calls = Number(values.calls);
const whole = Number(values.whole);

const answer = (): LanguageModelV4GenerateResult => ({
  content: [{ type: 'text', text: 'done' }],
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: { inputTokens: { total: 120, noCache: 120, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 30, text: 30, reasoning: undefined } },
  warnings: [],
});
const mock = (modelId: string) => new MockLanguageModelV4({ provider: 'mock', modelId, doGenerate: async () => answer() });
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
};
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

const dataDir = await mkdtemp(join(tmpdir(), 'orchestra-ai-sdk-bench-'));
try {
  const learning = await createLearning({ dataDir, env: {}, cwd: dataDir, mode: 'shadow', config: { reloadIntervalMs: 0 } });
  const providers = Object.fromEntries(learning.catalog.models.map((model) => [model.id, mock(model.id)]));
  const bare = mock('bare');
  const ai = createAiSdkLearning({ learning, providers, defaultModel: learning.catalog.models[0]!.id });
  const time = async (call: () => Promise<unknown>) => {
    const started = performance.now();
    await call();
    return (performance.now() - started) * 1000;
  };

  const bareCalls: number[] = [];
  const wrappedCalls: number[] = [];
  for (let index = 0; index < sessions + 10; index += 1) {
    await ai.session({ description: `task ${index}: fix the login bug when the password is empty` }, async (session) => {
      const model = session.model('executor');
      for (let call = 0; call < calls; call += 1) {
        const bareTime = await time(() => generateText({ model: bare, prompt: 'fix the bug' }));
        const wrappedTime = await time(() => generateText({ model, prompt: 'fix the bug' }));
        if (index >= 10) (bareCalls.push(bareTime), wrappedCalls.push(wrappedTime)); // 10 sessions of warm-up
      }
    });
  }

  const bareWhole: number[] = [];
  const sessionWhole: number[] = [];
  for (let index = 0; index < whole; index += 1) {
    bareWhole.push(await time(() => generateText({ model: bare, prompt: 'fix the bug' })));
    sessionWhole.push(await time(() => ai.session({ description: `task ${index}: fix the login bug` }, (session) => generateText({ model: session.model('executor'), prompt: 'fix the bug' }))));
  }
  await learning.close();

  const cell = (value: number) => value.toFixed(1).padStart(8);
  const row = (what: string, bareTimes: number[], wrappedTimes: number[]) => {
    const [bareMedian, wrappedMedian] = [quantile(bareTimes, 0.5), quantile(wrappedTimes, 0.5)];
    console.log(
      `| ${what.padEnd(44)} | ${cell(bareMedian)} | ${cell(wrappedMedian)} | ${cell(wrappedMedian - bareMedian)} | ${cell(quantile(bareTimes, 0.25))} / ${cell(quantile(wrappedTimes, 0.25))} | ${cell(quantile(bareTimes, 0.75))} / ${cell(quantile(wrappedTimes, 0.75))} | ${cell(mean(bareTimes))} / ${cell(mean(wrappedTimes))} |`,
    );
    return wrappedMedian - bareMedian;
  };
  const version = (await import('ai/package.json', { with: { type: 'json' } })).default.version;
  console.log(`ai ${version}, Node ${process.version}, load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}: ${bareCalls.length} alternating calls (${sessions} sessions × ${calls}), ${whole} one-call sessions; times in µs`);
  console.log(`| ${'what'.padEnd(44)} | bare SDK | learning | diff     | p25 bare / learning | p75 bare / learning | mean bare / learning |`);
  console.log(`|${'-'.repeat(46)}|----------|----------|----------|---------------------|---------------------|----------------------|`);
  const perCall = row('generateText, per call inside a session', bareCalls, wrappedCalls);
  row('one-call session (decide + call + record)', bareWhole, sessionWhole);
  console.log(`\noverhead per call (difference of medians): ${perCall.toFixed(1)} µs — goal ≤ 50 µs ${perCall <= 50 ? 'met' : 'NOT met'}`);
  if (perCall > 50) process.exitCode = 1;
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
