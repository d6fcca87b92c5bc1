const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** One field of a decoded Protocol Buffers message. */
export type ProtobufField =
  | { field: number; type: 'varint'; value: number }
  | { field: number; type: 'fixed64' | 'fixed32'; bytes: Uint8Array }
  | { field: number; type: 'bytes'; bytes: Uint8Array };

/** Thrown by `readProtobufFields` on malformed input: the message says at which byte. */
export class ProtobufDecodeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

/**
 * Splits one Protocol Buffers message into its fields, without a schema. Nested messages stay as bytes (decode them
 * with another call). Throws `ProtobufDecodeError` on a truncated or malformed message, never reads out of bounds.
 */
export function readProtobufFields(bytes: Uint8Array): ProtobufField[] {
  const fields: ProtobufField[] = [];
  let offset = 0;
  const readVarint = (): number => {
    let value = 0;
    let scale = 1;
    for (let count = 0; count < 10; count += 1) {
      if (offset >= bytes.byteLength) throw new ProtobufDecodeError(`truncated varint at byte ${offset}`);
      const byte = bytes[offset++]!;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 0x80;
    }
    throw new ProtobufDecodeError(`varint longer than 10 bytes at byte ${offset}`);
  };
  const take = (length: number): Uint8Array => {
    if (length > bytes.byteLength - offset) throw new ProtobufDecodeError(`field of ${length} bytes overruns the message at byte ${offset}`);
    const slice = bytes.subarray(offset, offset + length);
    offset += length;
    return slice;
  };
  while (offset < bytes.byteLength) {
    const tag = readVarint();
    const field = Math.floor(tag / 8);
    const type = tag % 8;
    if (field === 0) throw new ProtobufDecodeError(`field number 0 at byte ${offset}`);
    switch (type) {
      case 0:
        fields.push({ field, type: 'varint', value: readVarint() });
        break;
      case 1:
        fields.push({ field, type: 'fixed64', bytes: take(8) });
        break;
      case 2:
        fields.push({ field, type: 'bytes', bytes: take(readVarint()) });
        break;
      case 5:
        fields.push({ field, type: 'fixed32', bytes: take(4) });
        break;
      default:
        throw new ProtobufDecodeError(`unsupported wire type ${type} at byte ${offset}`);
    }
  }
  return fields;
}

/** Decodes a `bytes` field as UTF-8 text; throws `ProtobufDecodeError` on invalid UTF-8. */
export function protobufText(bytes: Uint8Array): string {
  try {
    return textDecoder.decode(bytes);
  } catch (error) {
    throw new ProtobufDecodeError(`invalid UTF-8 string: ${String(error)}`);
  }
}

/** Decodes a packed repeated varint field. */
export function protobufPackedVarints(bytes: Uint8Array): number[] {
  const values: number[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (offset >= bytes.byteLength) throw new ProtobufDecodeError('truncated packed varint');
      const byte = bytes[offset++]!;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) break;
      scale *= 0x80;
    }
    values.push(value);
  }
  return values;
}
