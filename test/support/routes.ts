import type { TestApp } from './test-app';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of the app's OpenAPI document, as `METHOD /path/{param}`. */
export async function documentedRoutes(t: TestApp): Promise<string[]> {
  const document = (await t.http.get('/api/docs-json')).body;
  return Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
    Object.keys(operations)
      .filter((method) => METHODS.includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/**
 * Every route the HTTP server answers, documented or not (pages, Swagger UI),
 * as `METHOD /path/{param}`, read from Fastify's route tree. HEAD (added for
 * every GET) and the catch-all CORS preflight are left out.
 */
export function servedRoutes(t: TestApp): string[] {
  const tree = t.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    const path = (depth ? stack[depth - 1] : '') + match[2];
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim())) {
      if (!method || method === 'HEAD' || method === 'OPTIONS') continue;
      routes.push(`${method} ${path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    }
  }
  if (!routes.length) throw new Error(`could not read the route tree:\n${tree}`);
  return [...new Set(routes)];
}
