import { Controller, Delete, Get, Post } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { AdminOnly } from './current-user.decorator';
import { RequiresPermission, SelfOnly } from './permission.decorator';
import { Public } from './public.decorator';
import { RouteAccessCheck, routeAccessOf } from './route-access';

@Controller('api/v1/widgets')
class WidgetsController {
  @Get(':id')
  @RequiresPermission('Patient', 'read')
  get() {}

  @Get('mine')
  @SelfOnly()
  mine() {}

  /** Admins only, yet no resource: roles are not a declaration. */
  @Delete(':id')
  @AdminOnly()
  remove() {}

  @Post(':id/frobnicate')
  frobnicate() {}

  helper() {}
}

@Public()
@Controller('pages')
class PagesController {
  @Get()
  index() {}
}

async function start(controllers: (typeof WidgetsController | typeof PagesController)[]) {
  const moduleRef = await Test.createTestingModule({ imports: [DiscoveryModule], controllers, providers: [RouteAccessCheck] }).compile();
  try {
    await moduleRef.init();
  } finally {
    await moduleRef.close();
  }
}

describe('Route access declarations', () => {
  it('lists every route with what it declares, the handler over its controller', () => {
    expect(routeAccessOf([WidgetsController, PagesController]).map(({ route, access, roles }) => ({ route, access, roles }))).toEqual([
      { route: 'GET /api/v1/widgets/{id}', access: 'Patient:read', roles: [] },
      { route: 'GET /api/v1/widgets/mine', access: 'self', roles: [] },
      { route: 'DELETE /api/v1/widgets/{id}', access: null, roles: ['ADMIN'] },
      { route: 'POST /api/v1/widgets/{id}/frobnicate', access: null, roles: [] },
      { route: 'GET /pages', access: 'public', roles: [] },
    ]);
  });

  it('refuses to start when a route declares neither a permission, @SelfOnly() nor @Public(), naming controller and handler', async () => {
    const failure = start([WidgetsController, PagesController]).then(
      () => null,
      (error: Error) => error.message,
    );
    const message = await failure;
    expect(message).toContain('WidgetsController.remove (DELETE /api/v1/widgets/{id})');
    expect(message).toContain('WidgetsController.frobnicate (POST /api/v1/widgets/{id}/frobnicate)');
    expect(message).not.toContain('WidgetsController.get ');
    expect(message).not.toContain('helper');
    expect(message).not.toContain('PagesController');
  });

  it('starts when every route declares its access', async () => {
    await expect(start([PagesController])).resolves.toBeUndefined();
  });
});
