/**
 * An architect → executor → auditor loop written with the Vercel AI SDK's `generateText`, decided and recorded by
 * `@orchestra/learning-ai-sdk`. Runs offline: the three "providers" are the SDK's own mock models (`ai/test`) that
 * answer like the agents would; in your app they are `openai('gpt-4o-mini')`, `anthropic('claude-sonnet-4-5')`, ….
 *
 *   node --import tsx src/ai-sdk-agent.ts [dataDir]      # experiences go to <dataDir> (default ./data)
 */
import { generateText } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { createLearning } from '@orchestra/learning';
import { createAiSdkLearning, type LanguageModelV4, type LanguageModelV4CallOptions } from '@orchestra/learning-ai-sdk';

/** Your models, with their prices (USD per 1k tokens): the catalog the policy chooses from and costs are computed with. */
const models = [
  { id: 'gpt-4o-mini', provider: 'openai', tier: 'cheap' as const, inputPricePer1kTokens: 0.00015, outputPricePer1kTokens: 0.0006 },
  { id: 'claude-sonnet', provider: 'anthropic', tier: 'mid' as const, inputPricePer1kTokens: 0.003, outputPricePer1kTokens: 0.015 },
  { id: 'o3', provider: 'openai', tier: 'expensive' as const, inputPricePer1kTokens: 0.01, outputPricePer1kTokens: 0.04 },
];

/** A stand-in for a real provider: answers as the agent its system prompt names; the first auditor review asks for a test. */
function offlineModel(modelId: string): LanguageModelV4 {
  const text = (options: LanguageModelV4CallOptions) =>
    options.prompt
      .flatMap((message) => (typeof message.content === 'string' ? [message.content] : message.content.flatMap((part) => (part.type === 'text' ? [part.text] : []))))
      .join('\n');
  return new MockLanguageModelV4({
    provider: 'offline',
    modelId,
    doGenerate: async (options) => {
      const prompt = text(options);
      const answer = prompt.startsWith('You are the architect')
        ? '1. reproduce with an empty password\n2. guard the empty case in login()\n3. add a regression test'
        : prompt.startsWith('You are the executor')
          ? prompt.includes('REJECT')
            ? 'if (!password) throw new AuthError("empty password");\ntest("empty password is refused", …);'
            : 'if (!password) throw new AuthError("empty password");'
          : prompt.includes('test(')
            ? 'APPROVE'
            : 'REJECT: add a regression test';
      await new Promise((resolve) => setTimeout(resolve, 5)); // network time, roughly
      const inputTokens = Math.ceil(prompt.length / 4);
      const outputTokens = Math.ceil(answer.length / 4);
      return {
        content: [{ type: 'text', text: answer }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: { inputTokens: { total: inputTokens, noCache: inputTokens, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: outputTokens, text: outputTokens, reasoning: undefined } },
        warnings: [],
      };
    },
  });
}

const tasks = [
  { description: 'fix: login crashes when the password is empty', files: ['src/auth/login.ts'] },
  { description: 'Add rate limiting to the /login endpoint', files: ['src/api/login.ts', 'src/api/middleware.ts'] },
  { description: 'refactor the session store to use Redis and add tests', files: ['src/session/store.ts', 'src/session/redis.ts', 'test/session.test.ts'] },
];

// Shadow mode: the rules decide and every session is recorded for training.
const learning = await createLearning({ dataDir: process.argv[2] ?? './data', mode: 'shadow', models, config: { reloadIntervalMs: 0 } });
const ai = createAiSdkLearning({
  learning,
  providers: Object.fromEntries(models.map((model) => [model.id, offlineModel(model.id)])),
  defaultModel: 'gpt-4o-mini',
  onRecorded: (result, sessionId) => console.log(`  recorded ${sessionId.slice(0, 8)}: reward ${result.reward.toFixed(2)}, stored ${result.experience === null ? 'no' : 'yes'}`),
});

try {
  for (const [index, task] of tasks.entries()) {
    const result = await ai.session(
      task,
      async (session) => {
        const models = session.agents.map((role) => `${role}=${session.modelIdFor(role)}`).join(' ');
        console.log(`task ${index + 1}: ${session.decision?.context.taskType ?? '?'} — ${models}`);
        const plan = session.agents.includes('architect')
          ? (await generateText({ model: session.model('architect'), system: 'You are the architect. Plan the change in short steps.', prompt: task.description })).text
          : task.description;
        let feedback = '';
        for (let round = 1; round <= 3; round += 1) {
          const code = await generateText({ model: session.model('executor'), system: 'You are the executor. Write the change.', prompt: `${plan}\n${feedback}` });
          if (!session.agents.includes('auditor')) return { approved: true, rounds: round }; // the decision skipped the review
          const review = await generateText({ model: session.model('auditor'), system: 'You are the auditor. Answer APPROVE or REJECT: reason.', prompt: code.text });
          if (review.text === 'APPROVE') return { approved: true, rounds: round };
          feedback = review.text;
        }
        return { approved: false, rounds: 3 };
      },
      { succeeded: (outcome) => outcome.approved },
    );
    console.log(`  ${result.approved ? 'approved' : 'not approved'} after ${result.rounds} round${result.rounds === 1 ? '' : 's'}`);
  }
  const buffer = await learning.readBuffer();
  const cost = buffer.reduce((sum, experience) => sum + experience.outcome.totalCostUsd, 0);
  console.log(`${buffer.length} sessions in the buffer, ${buffer.reduce((sum, experience) => sum + (experience.session?.globalMetrics.totalAttempts ?? 0), 0)} model calls, $${cost.toFixed(6)}`);
} finally {
  await learning.close();
}
