import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, DeletedDto, RequiresPermission } from '@careid/identity';
import { ApiPage, ApiProblems, DEFAULT_PAGE_SIZE, Page, UuidPipe } from '@careid/shared';
import { ApplicationsService } from '../application/applications.service';
import { ApplicationDto, ApplicationQueryDto, ApplicationWriteDto } from './dto/application.dto';

/** Applications are who may sign users in; like users, only admins manage them. */
@ApiTags('applications')
@ApiBearerAuth('bearer')
@ApiProblems(401, 403)
@AdminOnly()
@Controller('api/v1/applications')
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Post()
  @RequiresPermission('User', 'create')
  @ApiOperation({
    summary: 'Register an application (admin)',
    description: 'A confidential application gets a `clientSecret` in this answer only. Redirect URIs are matched exactly.',
  })
  @ApiCreatedResponse({ type: ApplicationDto })
  @ApiProblems(400, 409)
  register(@Body() body: ApplicationWriteDto): Promise<ApplicationDto> {
    return this.applications.register(body);
  }

  @Get()
  @RequiresPermission('User', 'read')
  @ApiOperation({ summary: 'List applications by name (admin)' })
  @ApiPage(ApplicationDto)
  @ApiProblems(400)
  list(@Query() query: ApplicationQueryDto): Promise<Page<ApplicationDto>> {
    return this.applications.list(query.limit ?? DEFAULT_PAGE_SIZE, query.cursor);
  }

  @Get(':id')
  @RequiresPermission('User', 'read')
  @ApiOperation({ summary: 'Get an application (admin)' })
  @ApiOkResponse({ type: ApplicationDto })
  @ApiProblems(400, 404)
  get(@Param('id', UuidPipe) id: string): Promise<ApplicationDto> {
    return this.applications.get(id);
  }

  @Put(':id')
  @RequiresPermission('User', 'update')
  @ApiOperation({
    summary: 'Modify an application (admin)',
    description: 'Send it as read, with changes and its `rev` (stale → 409). `type` cannot change.',
  })
  @ApiOkResponse({ type: ApplicationDto })
  @ApiProblems(400, 404, 409)
  modify(@Param('id', UuidPipe) id: string, @Body() body: ApplicationWriteDto): Promise<ApplicationDto> {
    return this.applications.modify(id, body);
  }

  @Post(':id/client-secret')
  @HttpCode(200)
  @RequiresPermission('User', 'update')
  @ApiOperation({
    summary: "Replace a confidential application's secret (admin)",
    description: 'The old secret stops working at once; the new one is in this answer only.',
  })
  @ApiOkResponse({ type: ApplicationDto })
  @ApiProblems(400, 404)
  rotateSecret(@Param('id', UuidPipe) id: string): Promise<ApplicationDto> {
    return this.applications.rotateSecret(id);
  }

  @Delete(':id')
  @RequiresPermission('User', 'delete')
  @ApiOperation({ summary: 'Delete an application (admin)' })
  @ApiOkResponse({ type: DeletedDto })
  @ApiProblems(400, 404)
  delete(@Param('id', UuidPipe) id: string): Promise<DeletedDto> {
    return this.applications.delete(id);
  }
}
