// The value tree of a syscall's arguments as strace prints them.
// Integers are bigint so that 64-bit values (RLIM64_INFINITY, 0xfffffffffffffff0) stay exact.

export type Value =
  | { readonly kind: 'int'; readonly text: string; readonly value: bigint }
  | { readonly kind: 'string'; readonly bytes: Uint8Array; readonly truncated: boolean; readonly abstract?: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'unavailable' } // `???`
  | { readonly kind: 'ident'; readonly name: string } // SIGCHLD, AT_FDCWD, SIG_DFL, &sin6_addr
  | { readonly kind: 'flags'; readonly items: readonly Value[] } // A|B|0644 (two or more items)
  | { readonly kind: 'struct'; readonly fields: readonly Field[]; readonly truncated: boolean }
  | { readonly kind: 'array'; readonly items: readonly Value[]; readonly truncated: boolean }
  | { readonly kind: 'indexed'; readonly index: Value; readonly value: Value } // [i]=v inside an array
  | { readonly kind: 'bitset'; readonly items: readonly string[]; readonly negated: boolean } // [USR1 TERM], ~[KILL]
  | { readonly kind: 'inout'; readonly before: Value; readonly after: Value } // x => y
  | { readonly kind: 'alt'; readonly options: readonly Value[] } // x or y
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Value[] } // htons(0), makedev(0x1, 0x3)
  | { readonly kind: 'expr'; readonly op: string; readonly left: Value; readonly right: Value } // &&, ==, <<, *
  | { readonly kind: 'commented'; readonly value: Value; readonly comment: string } // 0x7ff /* 35 vars */, or a bare comment (value null-kind)
  | { readonly kind: 'decorated'; readonly value: Value; readonly decoration: string; readonly deleted: boolean } // 3</etc/passwd>, 7895<procs>
  | { readonly kind: 'raw'; readonly text: string }; // anything the value grammar does not cover; never silently dropped

/** A struct field or a top-level `name=value` argument; `name` is absent for positional members. */
export interface Field {
  readonly name: string | undefined;
  readonly value: Value;
}

/** One top-level argument of a call: positional, or `name=value` (clone's `flags=`, -N output). */
export type Arg = Field;
