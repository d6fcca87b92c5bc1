export * from './data';
export * from './metrics';
export * from './protocol';
