/**
 * Loads an ESM-only package (oidc-provider, openid-client) from this CommonJS
 * app. Node 20.19+ runs `require()` of an ES module (require(esm)); jest
 * replaces `require` with its own loader, which does not, so the require
 * comes from Node's own `module.createRequire`, which behaves the same under both.
 */
const nodeRequire: NodeJS.Require = (process as unknown as { getBuiltinModule(id: 'module'): typeof import('node:module') })
  .getBuiltinModule('module')
  .createRequire(__filename);

export function requireEsm<T>(specifier: string): T {
  return nodeRequire(specifier) as T;
}

/** The Object of the realm that loaded those modules (Node's own, also when jest runs this file in a realm of its own). */
const ModuleRealmObject = (nodeRequire('node:path') as object).constructor as ObjectConstructor;

/**
 * `value` with its plain objects rebuilt in the modules' realm: oidc-provider takes an object for a plain one only when
 * its constructor is that realm's Object (under jest, objects made here are not). The same value outside jest.
 */
export function inModuleRealm<T>(value: T): T {
  if (ModuleRealmObject === Object) return value;
  if (Array.isArray(value)) return value.map(inModuleRealm) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const copy = new ModuleRealmObject() as Record<string, unknown>;
    for (const [key, entry] of Object.entries(value)) copy[key] = inModuleRealm(entry);
    return copy as T;
  }
  return value;
}
