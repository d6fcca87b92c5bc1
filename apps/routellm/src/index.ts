export * from './data';
export * from './metrics';
