/**
 * Score a recorded orchestration session with `@orchestra/learning-reward` alone (no model, no tfjs).
 *
 *   npm install @orchestra/learning-reward
 *   node --import tsx score-session.ts [session.json]      # defaults to the recorded session beside this file
 */
import { readFile } from 'node:fs/promises';
import { normalizeReward, rewardBounds, sessionReward } from '@orchestra/learning-reward';

const sessionFile = process.argv[2] ?? new URL('./session.json', import.meta.url);
const session: unknown = JSON.parse(await readFile(sessionFile, 'utf8'));

try {
  // Validates the session (zod) and returns the total with the components it is the exact sum of.
  const reward = sessionReward(session);
  console.log(`total ${reward.total}`);
  for (const [component, value] of Object.entries(reward.components)) console.log(`  ${component} ${value}`);
  for (const note of reward.capped) console.log(`  capped: ${note}`);
  console.log(`normalized ${normalizeReward(reward.total, rewardBounds().session).toFixed(4)}`);
} catch (error) {
  // Invalid input throws a ValidationError whose message names the offending field.
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
