// A string argument whose bytes are decoded from the line on first use. Most string arguments
// are never read as bytes (a read's buffer, a path nobody replays), and decoding every one
// eagerly cost a typed array per string, a tenth of a full argument parse plus its garbage.
//
// It is still the plain `{ kind: 'string', bytes, truncated, abstract? }` shape to every reader:
// `bytes` is an own enumerable accessor, so property enumeration, spread, JSON and deep
// equality (which look at own enumerable properties only) see it exactly as they see a data
// property, in the same key order. A getter on the prototype would be invisible to them. All
// instances install the same accessor, so V8 keeps them on one shared hidden class.
import { decodeEscapes } from './escapes.js';

export class StringValue {
  declare readonly kind: 'string';
  declare readonly bytes: Uint8Array;
  declare readonly truncated: boolean;
  declare readonly abstract?: boolean;
  // Private fields: invisible to enumeration, JSON and deep equality.
  #text: string;
  #from: number;
  #to: number;
  #bytes: Uint8Array | undefined;

  /** The string printed between the quotes at `text[from, to)`, escapes not yet decoded. */
  constructor(text: string, from: number, to: number, truncated: boolean, abstract: boolean) {
    this.#text = text;
    this.#from = from;
    this.#to = to;
    this.#bytes = undefined;
    (this as { kind: 'string' }).kind = 'string';
    Object.defineProperty(this, 'bytes', BYTES_PROPERTY);
    (this as { truncated: boolean }).truncated = truncated;
    if (abstract) (this as { abstract?: boolean }).abstract = true;
  }

  /** Decodes once; later reads get the same array. */
  static bytesOf(v: StringValue): Uint8Array {
    let b = v.#bytes;
    if (b === undefined) {
      b = decodeEscapes(v.#text, v.#from, v.#to);
      v.#bytes = b;
      v.#text = ''; // the line is no longer needed for this value
    }
    return b;
  }
}

/** One descriptor (and one getter function) for every instance: a shared hidden class. */
const BYTES_PROPERTY: PropertyDescriptor = Object.freeze({
  get(this: StringValue): Uint8Array {
    return StringValue.bytesOf(this);
  },
  enumerable: true,
  configurable: false,
});
