import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { requestContext } from '@careid/shared';
import { AuditTrail } from '../application/audit-trail';
import { PrincipalCache } from '../application/principal-cache';
import { StreamTickets } from '../application/stream-tickets';
import { AccessClaims, JWT_AUDIENCE, JWT_ISSUER } from '../application/sessions.service';
import { auditTypeFor, principalMay } from '../domain/permissions';
import { OPAQUE_ACCESS_TOKENS, OpaqueAccessTokens } from '../domain/opaque-access-tokens';
import type { Principal } from '../domain/principal';
import { CallerSession, REQUIRED_ROLES } from './current-user.decorator';
import { REQUIRED_PERMISSION, RequiredPermission } from './permission.decorator';
import { IS_PUBLIC } from './public.decorator';
import { ACCEPTS_STREAM_TICKET } from './stream-ticket.decorator';
import { VerifiedClaims, VerifiedTokens } from './verified-tokens';
import { identityError } from '../domain/identity.errors';

/** What a route asks of its caller, from its decorators (the handler's win over its controller's). */
interface RoutePolicy {
  isPublic: boolean;
  roles: string[] | undefined;
  permission: RequiredPermission | undefined;
  /** `@AcceptsStreamTicket()`: a `?ticket=` may stand for the Authorization header. */
  acceptsTicket: boolean;
}

interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  user?: Principal;
  session?: CallerSession;
}

const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

/**
 * The one global guard, deny by default: every route needs a valid access
 * JWT unless marked `@Public()`, then the roles of `@Roles(...)` (403) and
 * the permission of `@RequiresPermission(...)` (403, recorded in the audit
 * trail as denied). A JWT is valid when it is HS256 (`alg: none` and others
 * are refused), carries Careid's issuer and audience, has not expired, its
 * user is still live at the session version it names (a role change, a
 * disable or a delete), and its session (`sid`) is still open (a logout, a
 * password change or reset: see CredentialLifecycle), all at once.
 *
 * One guard for the JWT, the roles and the permission, because Nest awaits
 * each guard in turn and every guarded request pays for them (BENCHMARKS.md,
 * "Why the code looks like this"). A route's decorators are read once; a
 * principal already in the cache is checked without a promise, and a token
 * already verified is not verified again until it expires (VerifiedTokens).
 * A bearer token that is not a JWT is the OpenID provider's (OPAQUE_ACCESS_TOKENS):
 * looked up once, then remembered like a JWT, and held to the same session checks.
 * On a route marked `@AcceptsStreamTicket()`, a request without an Authorization header may bring a one-time
 * `?ticket=` instead: it is used up and stands for the claims of the token that asked for it (StreamTickets).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  /** By controller class, then handler: a handler a subclass inherits may sit under other class-level decorators. */
  private readonly policies = new WeakMap<object, WeakMap<object, RoutePolicy>>();
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly principals: PrincipalCache,
    private readonly audit: AuditTrail,
    private readonly streamTickets: StreamTickets,
    @Optional() @Inject(OPAQUE_ACCESS_TOKENS) private readonly opaqueTokens?: OpaqueAccessTokens,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policyOf(context);
    if (policy.isPublic) return true;
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    if (policy.acceptsTicket && request.headers.authorization === undefined && request.query?.ticket !== undefined)
      return this.streamTickets.redeem(request.query.ticket).then((verified) => this.check(request, verified, policy));
    const claims = this.claimsOf(request.headers.authorization);
    if (claims instanceof Promise) return claims.then((verified) => this.check(request, verified, policy));
    return this.check(request, claims, policy);
  }

  private check(request: GuardedRequest, claims: VerifiedClaims, policy: RoutePolicy): boolean | Promise<boolean> {
    const cached = this.principals.cached(claims.sub);
    const live = this.principals.cachedSession(claims.sid, claims.sub);
    if (cached !== undefined && live !== undefined) return this.admit(request, claims, live ? cached : null, policy);
    return Promise.all([this.principals.get(claims.sub), this.principals.isSessionLive(claims.sid, claims.sub)]).then(
      ([principal, isLive]) => this.admit(request, claims, isLive ? principal : null, policy),
    );
  }

  private policyOf(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    const controller = context.getClass();
    let ofController = this.policies.get(controller);
    if (!ofController) this.policies.set(controller, (ofController = new WeakMap()));
    let policy = ofController.get(handler);
    if (!policy) {
      const targets = [handler, controller];
      policy = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
        roles: this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, targets),
        permission: this.reflector.getAllAndOverride<RequiredPermission | undefined>(REQUIRED_PERMISSION, targets),
        acceptsTicket: this.reflector.getAllAndOverride<boolean>(ACCEPTS_STREAM_TICKET, targets) === true,
      };
      ofController.set(handler, policy);
    }
    return policy;
  }

  /** The access token's claims (401 when it is missing, malformed, forged, expired or not Careid's). */
  private claimsOf(authorization: string | string[] | undefined): VerifiedClaims | Promise<VerifiedClaims> {
    const token = typeof authorization === 'string' ? BEARER.exec(authorization)?.[1] : undefined;
    if (!token) throw unauthenticated();
    const known = this.verified.get(token);
    if (known) return known;
    if (!token.includes('.') && this.opaqueTokens) return this.opaqueClaimsOf(token, this.opaqueTokens);
    let claims: Partial<AccessClaims> & { exp?: number };
    try {
      claims = this.jwt.verify<AccessClaims>(token, { algorithms: ['HS256'], issuer: JWT_ISSUER, audience: JWT_AUDIENCE });
    } catch (error) {
      if ((error as Error).name === 'TokenExpiredError') throw identityError('ACCESS_TOKEN_EXPIRED');
      throw unauthenticated();
    }
    if (typeof claims.sub !== 'string' || typeof claims.sv !== 'number' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number')
      throw identityError('INVALID_ACCESS_TOKEN');
    const verified = { sub: claims.sub, sv: claims.sv, sid: claims.sid, exp: claims.exp };
    this.verified.remember(token, verified);
    return verified;
  }

  private async opaqueClaimsOf(token: string, opaqueTokens: OpaqueAccessTokens): Promise<VerifiedClaims> {
    const claims = token.length <= 512 ? await opaqueTokens.verify(token) : null;
    if (!claims) throw unauthenticated();
    this.verified.remember(token, claims);
    return claims;
  }

  /** True, or a promise of the 403 once a refused permission is in the audit trail; `principal` is null for an ended session. */
  private admit(request: GuardedRequest, claims: VerifiedClaims, principal: Principal | null, policy: RoutePolicy): true | Promise<never> {
    if (!principal || principal.sessionVersion !== claims.sv) throw identityError('SESSION_REVOKED');
    request.user = principal;
    request.session = { id: claims.sid, accessExpiresAt: claims.exp * 1000 };
    requestContext.setActor(principal.userId, principal.login);
    const { roles, permission } = policy;
    if (roles?.length && !roles.some((role) => principal.roles.includes(role)))
      throw identityError('FORBIDDEN', `This operation needs the role ${roles.join(' or ')}`);
    if (permission && !principalMay(principal, permission.resource, permission.action)) return this.refuse(request, permission);
    return true;
  }

  private async refuse(request: GuardedRequest, { resource, action }: RequiredPermission): Promise<never> {
    const targetId = request.params?.id;
    await this.audit.record({
      type: auditTypeFor(resource, action),
      outcome: 'denied',
      targetType: resource,
      targetId: typeof targetId === 'string' ? targetId.slice(0, 100) : null,
      details: { reason: 'role-or-access-policy' },
    });
    throw identityError('FORBIDDEN', `Your role or access policy does not allow ${action} on ${resource}`);
  }
}

const unauthenticated = () => identityError('UNAUTHENTICATED');
