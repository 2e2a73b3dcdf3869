/** Flat configuration: dotted keys → string values (Spring's property view). */
export type FlatConfig = Record<string, string>;
