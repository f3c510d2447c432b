import {
  applyDecorators,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  SetMetadata,
  Type,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBody } from '@nestjs/swagger';
import { createValidationPipe } from '@careid/shared';
import type { LoginMethodName } from '../application/login/login-method';
import { LoginMethods } from '../application/login/login-methods';
import type { TokenPair } from '../application/sessions.service';

const LOGIN_ROUTE = 'careid:login-route';

interface LoginRoute {
  body: Type;
  methods: LoginMethodName[];
}

interface LoginRequest {
  body: unknown;
  loginSession?: TokenPair;
}

/**
 * The route logs in through these login methods (passport strategies), tried in order, with a body of type `body`.
 * The handler gets the session they opened with `@OpenedSession()`.
 */
export const LogsInWith = (body: Type, ...methods: LoginMethodName[]) =>
  applyDecorators(SetMetadata(LOGIN_ROUTE, { body, methods } satisfies LoginRoute), UseGuards(LoginMethodsGuard), ApiBody({ type: body }));

/** The session the route's login methods opened (set by LoginMethodsGuard). */
export const OpenedSession = createParamDecorator((_data: unknown, context: ExecutionContext): TokenPair => {
  return context.switchToHttp().getRequest<LoginRequest>().loginSession!;
});

/**
 * Runs a login route's methods. Guards run before pipes: the body is validated here first, with the app's
 * validation rules (400 VALIDATION_FAILED), so that strategies only ever read a well-formed attempt.
 */
@Injectable()
export class LoginMethodsGuard implements CanActivate {
  private readonly validation = createValidationPipe();
  private readonly routes = new WeakMap<object, LoginRoute>();

  constructor(
    private readonly reflector: Reflector,
    private readonly methods: LoginMethods,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.routeOf(context.getHandler());
    const request = context.switchToHttp().getRequest<LoginRequest>();
    request.body = await this.validation.transform(request.body, { type: 'body', metatype: route.body });
    request.loginSession = await this.methods.authenticate(route.methods, request);
    return true;
  }

  private routeOf(handler: object): LoginRoute {
    let route = this.routes.get(handler);
    if (!route) {
      route = this.reflector.get<LoginRoute>(LOGIN_ROUTE, handler as never);
      this.routes.set(handler, route);
    }
    return route;
  }
}
