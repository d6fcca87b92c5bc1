/**
 * Test support shared with other packages (`@orchestra/learning-collector/testing`): seeded, valid experiences of
 * the current schema, so every experience store is tested on the same records.
 */
export { createRandom, makeExperience, type ExperienceFactoryOptions } from './test-support/experience-factory';
