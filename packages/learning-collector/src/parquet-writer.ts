import type { Experience } from '@orchestra/learning-types';
import type { ExportOptions } from './experience-export';
import type { ExperienceStream } from './experience-stream';
import { FlatLayout, type ColumnKind } from './flat-layout';

/** Rows per Parquet row group: memory of a Parquet export is bounded by one group's columns. */
export const PARQUET_ROW_GROUP_ROWS = 16_384;

/** Where the Parquet bytes go (the export's temporary file or the caller's stream). */
interface ByteSink {
  writeBytes(bytes: Uint8Array): Promise<void>;
}

function schemaElement(name: string, kind: ColumnKind): Record<string, unknown> {
  switch (kind) {
    case 'string':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' };
    case 'double':
      return { name, type: 'DOUBLE', repetition_type: 'OPTIONAL' };
    case 'boolean':
      return { name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' };
    case 'timestamp':
      return { name, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'OPTIONAL' };
  }
}

/** A cell converted to its column's kind (`null` for no value). */
function cellValue(kind: ColumnKind, cell: unknown): string | number | boolean | Date | null {
  if (cell === undefined || cell === null) return null;
  switch (kind) {
    case 'string':
      return String(cell);
    case 'double':
      return typeof cell === 'number' ? cell : null;
    case 'boolean':
      return typeof cell === 'boolean' ? cell : null;
    case 'timestamp':
      return new Date(Date.parse(String(cell)));
  }
}

/**
 * Writes the stream's experiences as one Parquet file (the flat CSV columns, typed; snappy-compressed row groups of
 * `PARQUET_ROW_GROUP_ROWS`, or `rowGroupRows`) with hyparquet-writer, streaming: each row group goes to `sink` when full. Returns the
 * number of rows written.
 */
export async function writeParquet(
  stream: ExperienceStream,
  options: Pick<ExportOptions, 'featureNames' | 'rewardComponents'> & { rowGroupRows?: number },
  sink: ByteSink,
): Promise<number> {
  const groupRows = options.rowGroupRows ?? PARQUET_ROW_GROUP_ROWS;
  // hyparquet-writer is ES-module only: loaded when a Parquet export is asked for.
  const { ByteWriter, ParquetWriter } = await import('hyparquet-writer');
  let layout: FlatLayout | undefined;
  let writer: InstanceType<typeof ParquetWriter> | undefined;
  const bytes = new ByteWriter();
  // Each finished row group is written out, then the buffer reused (the writer awaits this before the next group).
  const drain = async () => {
    const chunk = bytes.getBytes().slice();
    bytes.index = 0;
    if (chunk.length > 0) await sink.writeBytes(chunk);
  };
  (bytes as unknown as { flush: () => Promise<void> }).flush = drain;
  let columns: (string | number | boolean | Date | null)[][] = [];
  let rows = 0;
  let exported = 0;
  const start = (first: Experience | undefined) => {
    layout = new FlatLayout(
      options.featureNames?.length ?? first?.state.features.length ?? 0,
      options.featureNames,
      options.rewardComponents ?? (first === undefined ? [] : Object.keys(first.reward.components)),
    );
    const schema = [{ name: 'root', num_children: layout.header.length }, ...layout.header.map((name, index) => schemaElement(name, layout!.kinds[index]!))];
    writer = new ParquetWriter({ writer: bytes, schema: schema as never, createdBy: 'orchestra learning-export' });
    columns = layout.header.map(() => []);
  };
  const flushGroup = async () => {
    if (rows === 0) return;
    const current = layout!;
    await writer!.write({ columnData: current.header.map((name, index) => ({ name, data: columns[index]! })), rowGroupSize: rows });
    columns = current.header.map(() => []);
    rows = 0;
  };
  for await (const batch of stream.batches()) {
    for (const experience of batch) {
      if (layout === undefined) start(experience);
      const current = layout!;
      const cells = current.row(experience);
      for (let index = 0; index < cells.length; index += 1) columns[index]!.push(cellValue(current.kinds[index]!, cells[index]));
      rows += 1;
      exported += 1;
      if (rows >= groupRows) await flushGroup();
    }
  }
  if (layout === undefined) start(undefined);
  await flushGroup();
  await writer!.finish();
  await drain();
  return exported;
}
