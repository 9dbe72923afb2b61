// The scan reads the line shapes that make up nearly all of a capture (`PID [STAMP ]name(args)
// = N …`) through fast paths, and everything else through the general parsers, which accept every
// form. Each fast path must give exactly what its general parser gives; the switch exists so that
// tests can run a capture both ways and compare the events.

/** True (the default) to use the fast paths; tests turn it off to get the general parsers alone. */
export const fastPaths = { enabled: true };
