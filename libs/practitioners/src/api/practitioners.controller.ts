import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, DeletedDto, type Principal, RequiresPermission } from '@careid/identity';
import { ApiPage, ApiProblems, DEFAULT_PAGE_SIZE, Page, UuidPipe } from '@careid/shared';
import { PractitionersService } from '../application/practitioners.service';
import { PractitionerDto, PractitionerFilterDto, PractitionerWriteDto } from './dto/practitioner.dto';
import { toPractitionerView } from './practitioner.mapper';

@ApiTags('practitioners')
@ApiBearerAuth('bearer')
@ApiProblems(401)
@Controller('api/v1/practitioners')
export class PractitionersController {
  constructor(private readonly practitioners: PractitionersService) {}

  @Post()
  @RequiresPermission('Practitioner', 'create')
  @ApiOperation({ summary: 'Create a practitioner (admin)', description: '`names` is computed from firstName/lastName when not given.' })
  @ApiCreatedResponse({ type: PractitionerDto })
  @ApiProblems(400, 403)
  async create(@Body() body: PractitionerWriteDto): Promise<PractitionerDto> {
    return toPractitionerView(await this.practitioners.create(body));
  }

  @Get()
  @RequiresPermission('Practitioner', 'read')
  @ApiOperation({
    summary: 'List practitioners',
    description: 'Practitioners are a directory: every authenticated user may read them. Keyset-paginated by id; `name` is a name prefix.',
  })
  @ApiPage(PractitionerDto)
  @ApiProblems(400, 403)
  async filter(@Query() query: PractitionerFilterDto): Promise<Page<PractitionerDto>> {
    const page = await this.practitioners.filter({ name: query.name }, query.limit ?? DEFAULT_PAGE_SIZE, query.cursor);
    return { rows: page.rows.map(toPractitionerView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequiresPermission('Practitioner', 'read')
  @ApiOperation({ summary: 'Get a practitioner', description: 'Every authenticated user may read practitioners.' })
  @ApiOkResponse({ type: PractitionerDto })
  @ApiProblems(400, 403, 404)
  async get(@Param('id', UuidPipe) id: string): Promise<PractitionerDto> {
    return toPractitionerView(await this.practitioners.get(id));
  }

  @Put(':id')
  @RequiresPermission('Practitioner', 'update')
  @ApiOperation({
    summary: 'Modify a practitioner',
    description:
      'Send the practitioner as read, with changes and its `rev` (stale → 409). Admins modify any practitioner; a practitioner user only its own (403 otherwise).',
  })
  @ApiOkResponse({ type: PractitionerDto })
  @ApiProblems(400, 403, 404, 409)
  async modify(
    @Param('id', UuidPipe) id: string,
    @Body() body: PractitionerWriteDto,
    @CurrentUser() actor: Principal,
  ): Promise<PractitionerDto> {
    return toPractitionerView(await this.practitioners.modify(id, body, actor));
  }

  @Delete(':id')
  @RequiresPermission('Practitioner', 'delete')
  @ApiOperation({ summary: 'Delete a practitioner (admin, soft delete)' })
  @ApiOkResponse({ type: DeletedDto })
  @ApiProblems(400, 403, 404)
  delete(@Param('id', UuidPipe) id: string): Promise<DeletedDto> {
    return this.practitioners.delete(id);
  }
}
