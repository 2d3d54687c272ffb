/**
 * Port declarations. A port names the kind of packet it carries twice: as a
 * TypeScript type (so a component can only send what its port declares) and
 * as a `datatype` string (so graph.json can be checked before anything runs,
 * when the TypeScript types are long gone).
 */

/** Datatypes that initial packets in graph.json may carry. */
export const SCALAR_DATATYPES = ['integer', 'number', 'boolean', 'string', 'object', 'array'] as const;
export type ScalarDatatype = (typeof SCALAR_DATATYPES)[number];

/**
 * `all` accepts anything; any other name not in SCALAR_DATATYPES is a packet
 * kind that only the network produces (`request`, `reply`, ...).
 */
export type Datatype = ScalarDatatype | 'all' | (string & {});

/** PortSpec describes one port; `T` is the packet type it carries. */
export interface PortSpec<T = unknown> {
  readonly datatype: Datatype;
  readonly description: string;
  /** An in-port that must be connected or given an initial packet. */
  readonly required: boolean;
  /**
   * For scalar settings: checks an initial packet beyond its datatype.
   * A method, not a property, so a PortSpec<number> still fits a PortMap.
   */
  check?(value: T): string | undefined;
  /**
   * For settings: the value the runtime gives the port when graph.json (and
   * the environment) give none. Declared here and nowhere else: the
   * settings tables of the READMEs are generated from it.
   */
  readonly default?: T;
  /** Phantom field: carries `T` for the type checker only. */
  readonly __packet?: T;
}

export type PortMap = Record<string, PortSpec<unknown>>;

/** PacketOf gives the packet type of a port spec. */
export type PacketOf<P> = P extends PortSpec<infer T> ? T : never;

interface PortOptions<T> {
  required?: boolean;
  check?: (value: T) => string | undefined;
  default?: T;
}

/** SettingSpec is a setting's in-port: it always has a default. */
export interface SettingSpec<T> extends PortSpec<T> {
  readonly default: T;
}

/** port declares a port that carries packets of type `T`. */
export function port<T>(datatype: Datatype, description: string, options: PortOptions<T> = {}): PortSpec<T> {
  return Object.freeze({
    datatype,
    description,
    required: options.required ?? false,
    ...(options.check ? { check: options.check } : {}),
    ...(options.default === undefined ? {} : { default: options.default }),
  });
}

/** integerSetting declares an in-port for an integer setting within a range, and its default. */
export function integerSetting(description: string, min: number, max: number, fallback: number): SettingSpec<number> {
  const check = (value: number): string | undefined => (value >= min && value <= max ? undefined : `must be between ${min} and ${max}`);
  if (check(fallback) !== undefined) throw new Error(`The default ${fallback} of '${description}' ${check(fallback)}`);
  return port<number>('integer', description, { check, default: fallback }) as SettingSpec<number>;
}

/** booleanSetting declares an in-port for a true/false setting, and its default. */
export function booleanSetting(description: string, fallback: boolean): SettingSpec<boolean> {
  return port<boolean>('boolean', description, { default: fallback }) as SettingSpec<boolean>;
}

/** datatypeOf names the datatype of an initial packet's value. */
export function datatypeOf(value: unknown): ScalarDatatype | 'null' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean' || typeof value === 'string') return typeof value as ScalarDatatype;
  return 'object';
}

/** accepts tells whether a value of datatype `given` fits a port of datatype `wanted`. */
export function accepts(wanted: Datatype, given: Datatype): boolean {
  return wanted === 'all' || given === 'all' || wanted === given || (wanted === 'number' && given === 'integer');
}

/** isScalar tells whether a datatype can come from graph.json as an initial packet. */
export function isScalar(datatype: Datatype): boolean {
  return datatype === 'all' || (SCALAR_DATATYPES as readonly string[]).includes(datatype);
}
