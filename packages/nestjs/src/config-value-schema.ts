import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Schema as SafeParseSchema } from '@zoo/config';

/** A Standard Schema (zod ≥ 3.24, valibot, arktype, ...) or anything with zod's `safeParse`. */
export type ConfigValueSchema<T = unknown> = StandardSchemaV1<unknown, T> | SafeParseSchema<T>;

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; message: string };

function isStandard<T>(schema: ConfigValueSchema<T>): schema is StandardSchemaV1<unknown, T> {
  return typeof (schema as Partial<StandardSchemaV1>)['~standard']?.validate === 'function';
}

/** Validates (and converts) one raw config value; synchronous, as a property read is. */
export function validateConfigValue<T>(schema: ConfigValueSchema<T>, raw: unknown): ValidationResult<T> {
  if (isStandard(schema)) {
    const result = schema['~standard'].validate(raw);
    if (result instanceof Promise) throw new TypeError('@ZooConfig: asynchronous schemas are not supported (a property read cannot wait)');
    if (result.issues) {
      const message = result.issues
        .map((issue) => {
          const path = (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
          return path ? `${path}: ${issue.message}` : issue.message;
        })
        .join('; ');
      return { ok: false, message };
    }
    return { ok: true, value: result.value };
  }
  if (typeof schema.safeParse !== 'function') throw new TypeError('@ZooConfig: schema must be a Standard Schema or have safeParse()');
  const result = schema.safeParse(raw);
  return result.success ? { ok: true, value: result.data } : { ok: false, message: result.error.message };
}
