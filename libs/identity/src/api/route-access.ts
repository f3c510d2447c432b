import { Injectable, OnModuleInit, RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { REQUIRED_ROLES } from './current-user.decorator';
import { REQUIRED_PERMISSION, RequiredPermission, SELF_ONLY } from './permission.decorator';
import { IS_PUBLIC } from './public.decorator';

/** What a route declares about its callers: `public`, `self` (the caller's own data) or `Resource:action`. */
export type RouteAccessDeclaration = 'public' | 'self' | `${RequiredPermission['resource']}:${RequiredPermission['action']}`;

export interface RouteAccess {
  /** `METHOD /path/{param}`, as the OpenAPI document and the access matrix name it. */
  route: string;
  controller: string;
  handler: string;
  /** null: the route declares nothing (start-up refuses it). */
  access: RouteAccessDeclaration | null;
  roles: string[];
}

/** Every route of these controllers and what it declares (the handler's decorators win over its controller's). */
export function routeAccessOf(controllers: Type[], reflector = new Reflector(), scanner = new MetadataScanner()): RouteAccess[] {
  const routes: RouteAccess[] = [];
  for (const controller of controllers) {
    const prefixes = pathsOf(Reflect.getMetadata(PATH_METADATA, controller));
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = controller.prototype[name] as object;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const targets = [handler, controller] as (Type | ((...args: unknown[]) => unknown))[];
      const permission = reflector.getAllAndOverride<RequiredPermission | undefined>(REQUIRED_PERMISSION, targets);
      const access: RouteAccessDeclaration | null = reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)
        ? 'public'
        : permission
          ? `${permission.resource}:${permission.action}`
          : reflector.getAllAndOverride<boolean>(SELF_ONLY, targets)
            ? 'self'
            : null;
      const roles = reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, targets) ?? [];
      for (const prefix of prefixes)
        for (const path of pathsOf(Reflect.getMetadata(PATH_METADATA, handler))) {
          const joined = `/${[prefix, path]
            .map((part) => part.replace(/^\/+|\/+$/g, ''))
            .filter(Boolean)
            .join('/')}`;
          routes.push({
            route: `${RequestMethod[method]} ${joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`,
            controller: controller.name,
            handler: name,
            access,
            roles,
          });
        }
    }
  }
  return routes;
}

const pathsOf = (value: string | string[] | undefined): string[] => (Array.isArray(value) ? value : [value ?? '']);

/** The start-up error for routes that declare no access: each by controller, handler and route. */
export function undeclaredRoutesError(routes: RouteAccess[]): Error | null {
  const undeclared = routes.filter((route) => route.access === null);
  if (!undeclared.length) return null;
  const list = undeclared.map((r) => `${r.controller}.${r.handler} (${r.route})`).join(', ');
  return new Error(
    `Every route must declare its access with @RequiresPermission(resource, action), @SelfOnly() or @Public(); these declare none: ${list}`,
  );
}

/**
 * Access policies cover every route: at start-up, every route of
 * the app names the resource and action it needs, or says it is public or
 * about the caller itself; a route that says nothing stops the app before
 * it listens, by name. AccessGuard then needs no fallback for such routes.
 */
@Injectable()
export class RouteAccessCheck implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    const error = undeclaredRoutesError(this.routes());
    if (error) throw error;
  }

  /** Every route the app serves through a controller, with its declaration. */
  routes(): RouteAccess[] {
    const controllers = this.discovery
      .getControllers()
      .map((wrapper) => wrapper.metatype as Type | null)
      .filter((metatype): metatype is Type => !!metatype);
    return routeAccessOf([...new Set(controllers)], this.reflector, this.scanner);
  }
}
