import { benchmarkExperiences, ingestThroughStore, ingestRawAppend } from './bench/ingest';
const xs = benchmarkExperiences(1000, false, 48);
const total = 100000;
console.log(await ingestRawAppend(xs, total, 1000, true, 'stringify+raw'));
console.log(await ingestThroughStore(xs, total, 1000, { durability: 'batch' }, 'store', 4, true));
