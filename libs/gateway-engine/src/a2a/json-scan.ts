// Reads a few members of a JSON object by their path without building the whole value: what
// logs and metrics need from a request body (its method, ids) costs a scan, not a parse of
// every part (message texts, files) into objects.

/** What `scanMembers` found: the scalar members at the wanted paths, and which objects exist. */
export interface ScannedMembers {
  /** String and number members at wanted paths (`params.message.contextId`). */
  readonly values: Map<string, string | number>;
  /** Paths of the objects that were looked into (`params.message`). */
  readonly objects: Set<string>;
}

/** Wanted member paths (dot-separated keys), prepared once for `scanMembers`. */
export class MemberPaths {
  readonly paths: ReadonlySet<string>;
  /** The objects on the way to a wanted path. */
  readonly parents: ReadonlySet<string>;

  constructor(paths: Iterable<string>) {
    this.paths = new Set(paths);
    const parents = new Set<string>();
    for (const p of this.paths)
      for (let i = p.indexOf('.'); i >= 0; i = p.indexOf('.', i + 1)) parents.add(p.slice(0, i));
    this.parents = parents;
  }
}

/**
 * Scans a JSON object (UTF-8 bytes) for the string/number members at the wanted paths (arrays
 * are not looked into). Only objects on the way to a wanted path are entered; everything else is
 * skipped over (strings with a byte search), and nothing is decoded but keys and the members
 * read. Undefined when the text is not a well-formed JSON object as far as it was read. (For
 * small texts `JSON.parse` is as quick: this is for large ones.)
 */
export function scanMembers(json: Uint8Array, wanted: MemberPaths): ScannedMembers | undefined {
  const out: ScannedMembers = { values: new Map(), objects: new Set() };
  const buf = Buffer.isBuffer(json) ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength);
  const s = new Scanner(buf, wanted.paths, wanted.parents, out);
  try {
    s.ws();
    if (buf[s.i] !== OPEN_BRACE) return undefined;
    s.object('');
    return out;
  } catch {
    return undefined;
  }
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

class Malformed extends Error {}

class Scanner {
  i = 0;

  constructor(
    private readonly b: Buffer,
    private readonly paths: ReadonlySet<string>,
    private readonly parents: ReadonlySet<string>,
    private readonly out: ScannedMembers,
  ) {}

  ws(): void {
    const b = this.b;
    let c = b[this.i];
    while (c === 32 || c === 10 || c === 13 || c === 9) c = b[++this.i];
  }

  /** At `{`: reads the object's members, entering those on a wanted path. */
  object(path: string): void {
    const b = this.b;
    if (path !== '') this.out.objects.add(path);
    this.i++;
    this.ws();
    if (b[this.i] === CLOSE_BRACE) {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      if (b[this.i] !== QUOTE) throw new Malformed();
      const key = this.string();
      this.ws();
      if (b[this.i] !== COLON) throw new Malformed();
      this.i++;
      this.ws();
      const at = path === '' ? key : `${path}.${key}`;
      const c = b[this.i];
      if (c === OPEN_BRACE && this.parents.has(at)) this.object(at);
      else if (c === QUOTE && this.paths.has(at)) this.out.values.set(at, this.string());
      else if (c !== undefined && (c === 45 || (c >= 48 && c <= 57)) && this.paths.has(at)) {
        const start = this.i;
        this.skipScalar();
        const n = Number(b.toString('latin1', start, this.i));
        if (!Number.isFinite(n)) throw new Malformed();
        this.out.values.set(at, n);
      } else this.skip();
      this.ws();
      const next = b[this.i++];
      if (next === CLOSE_BRACE) return;
      if (next !== COMMA) throw new Malformed();
    }
  }

  /** At `"`: the string's value; moves past it. */
  string(): string {
    const b = this.b;
    const start = this.i;
    const end = this.skipString();
    const escape = b.indexOf(BACKSLASH, start + 1);
    return escape < 0 || escape > end
      ? b.toString('utf8', start + 1, end)
      : (JSON.parse(b.toString('utf8', start, end + 1)) as string);
  }

  /** At `"`: moves past the string without decoding it; returns its closing quote's index. */
  private skipString(): number {
    const b = this.b;
    let end = b.indexOf(QUOTE, this.i + 1);
    for (;;) {
      if (end < 0) throw new Malformed();
      // A quote after an odd number of backslashes is part of the string.
      let k = end - 1;
      while (b[k] === BACKSLASH) k--;
      if ((end - 1 - k) % 2 === 0) break;
      end = b.indexOf(QUOTE, end + 1);
    }
    this.i = end + 1;
    return end;
  }

  /** Moves past one value of any kind. */
  skip(): void {
    const b = this.b;
    const c = b[this.i];
    if (c === QUOTE) {
      this.skipString();
      return;
    }
    if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
      this.skipScalar();
      return;
    }
    // A nested object or array: count brackets, strings skipped whole.
    let depth = 0;
    for (;;) {
      const d = b[this.i];
      if (d === undefined) throw new Malformed();
      if (d === QUOTE) {
        this.skipString();
        continue;
      }
      this.i++;
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        if (--depth === 0) return;
      }
    }
  }

  /** Moves past a number or literal. */
  private skipScalar(): void {
    const b = this.b;
    const start = this.i;
    for (;;) {
      const c = b[this.i];
      if (c === undefined || c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c <= 32) break;
      this.i++;
    }
    if (this.i === start) throw new Malformed();
  }
}
