import { registerDecorator, ValidationOptions } from 'class-validator';

export interface BoundedJsonOptions {
  /** Largest serialised size, in UTF-8 bytes. */
  maxBytes: number;
  /** Deepest nesting of objects and arrays. */
  maxDepth?: number;
  /** Only a JSON object (not an array or a scalar) is accepted. */
  objectOnly?: boolean;
}

function depthOf(value: unknown, limit: number, depth = 0): number {
  if (depth > limit || value === null || typeof value !== 'object') return depth;
  let deepest = depth + 1;
  for (const child of Object.values(value)) {
    deepest = Math.max(deepest, depthOf(child, limit, depth + 1));
    if (deepest > limit) break;
  }
  return deepest;
}

/** Whether `value` is free JSON within the bounds (free fields still get a size and depth limit). */
export function isBoundedJson(value: unknown, options: BoundedJsonOptions): boolean {
  if (value === undefined) return false;
  if (options.objectOnly && (value === null || typeof value !== 'object' || Array.isArray(value))) return false;
  if (depthOf(value, options.maxDepth ?? 16) > (options.maxDepth ?? 16)) return false;
  const text = JSON.stringify(value);
  return text !== undefined && Buffer.byteLength(text, 'utf8') <= options.maxBytes;
}

/** Free JSON (properties, codes, encrypted content) with a size and depth limit. */
export function IsBoundedJson(options: BoundedJsonOptions, validationOptions?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isBoundedJson',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `$property must be ${options.objectOnly ? 'a JSON object' : 'JSON'} of at most ${options.maxBytes} bytes and ${options.maxDepth ?? 16} levels`,
        ...validationOptions,
      },
      validator: { validate: (value: unknown) => isBoundedJson(value, options) },
    });
}
