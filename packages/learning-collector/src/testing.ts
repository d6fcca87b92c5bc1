/**
 * Test support shared with other packages (`@orchestra/learning-collector/testing`): seeded, valid experiences of
 * the current schema, so every experience store is tested on the same records; and the line protocol of the
 * worker processes their fault tests spawn.
 */
export { createRandom, makeExperience, type ExperienceFactoryOptions } from './test-support/experience-factory';
export { followWorkerProtocol, type WorkerProtocol } from './test-support/worker-protocol';
