import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, DeletedDto, type Principal, RequiresPermission } from '@careid/identity';
import { ApiPage, ApiProblems, DEFAULT_PAGE_SIZE, Page, UuidPipe } from '@careid/shared';
import { MedicalRecordsService } from '../application/medical-records.service';
import {
  DataSampleDto,
  DataSampleWriteDto,
  HealthcareElementDto,
  HealthcareElementWriteDto,
  MedicalRecordFilterDto,
} from './dto/medical-record.dto';
import { toMedicalRecordView } from './medical-record.mapper';

const ACCESS =
  'Readable by its delegates only (admins: all); any other record answers 404, as if it did not exist. Patient users only read.';

// Two thin controllers over one service: the kinds differ only in their name and in the dates elements carry.

@ApiTags('data-samples')
@ApiBearerAuth('bearer')
@ApiProblems(401)
@Controller('api/v1/data-samples')
export class DataSamplesController {
  constructor(private readonly records: MedicalRecordsService) {}

  @Post()
  @RequiresPermission('DataSample', 'create')
  @ApiOperation({
    summary: 'Create a data sample for a patient',
    description:
      "Needs access to the patient (else 400 PATIENT_NOT_FOUND). The creator's practitioner and autoDelegations become its delegates. Patient and plain users get 403.",
  })
  @ApiCreatedResponse({ type: DataSampleDto })
  @ApiProblems(400, 403)
  async create(@Body() body: DataSampleWriteDto, @CurrentUser() actor: Principal): Promise<DataSampleDto> {
    return toMedicalRecordView(await this.records.create('DataSample', body, actor));
  }

  @Get()
  @RequiresPermission('DataSample', 'read')
  @ApiOperation({
    summary: 'List the data samples you may read',
    description: `Of one patient with \`patientId\`. Keyset-paginated by id. ${ACCESS}`,
  })
  @ApiPage(DataSampleDto)
  @ApiProblems(400, 403)
  async filter(@Query() query: MedicalRecordFilterDto, @CurrentUser() actor: Principal): Promise<Page<DataSampleDto>> {
    const page = await this.records.filter(
      'DataSample',
      { patientId: query.patientId },
      actor,
      query.limit ?? DEFAULT_PAGE_SIZE,
      query.cursor,
    );
    return { rows: page.rows.map(toMedicalRecordView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequiresPermission('DataSample', 'read')
  @ApiOperation({ summary: 'Get a data sample', description: ACCESS })
  @ApiOkResponse({ type: DataSampleDto })
  @ApiProblems(400, 403, 404)
  async get(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<DataSampleDto> {
    return toMedicalRecordView(await this.records.get('DataSample', id, actor));
  }

  @Put(':id')
  @RequiresPermission('DataSample', 'update')
  @ApiOperation({ summary: 'Modify a data sample', description: `Send it as read, with changes and its \`rev\` (stale → 409). ${ACCESS}` })
  @ApiOkResponse({ type: DataSampleDto })
  @ApiProblems(400, 403, 404, 409)
  async modify(
    @Param('id', UuidPipe) id: string,
    @Body() body: DataSampleWriteDto,
    @CurrentUser() actor: Principal,
  ): Promise<DataSampleDto> {
    return toMedicalRecordView(await this.records.modify('DataSample', id, body, actor));
  }

  @Delete(':id')
  @RequiresPermission('DataSample', 'delete')
  @ApiOperation({ summary: 'Delete a data sample (soft delete)', description: ACCESS })
  @ApiOkResponse({ type: DeletedDto })
  @ApiProblems(400, 403, 404)
  delete(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<DeletedDto> {
    return this.records.delete('DataSample', id, actor);
  }
}

@ApiTags('healthcare-elements')
@ApiBearerAuth('bearer')
@ApiProblems(401)
@Controller('api/v1/healthcare-elements')
export class HealthcareElementsController {
  constructor(private readonly records: MedicalRecordsService) {}

  @Post()
  @RequiresPermission('HealthcareElement', 'create')
  @ApiOperation({
    summary: 'Create a healthcare element for a patient',
    description:
      "Needs access to the patient (else 400 PATIENT_NOT_FOUND). The creator's practitioner and autoDelegations become its delegates. Patient and plain users get 403.",
  })
  @ApiCreatedResponse({ type: HealthcareElementDto })
  @ApiProblems(400, 403)
  async create(@Body() body: HealthcareElementWriteDto, @CurrentUser() actor: Principal): Promise<HealthcareElementDto> {
    return toMedicalRecordView(await this.records.create('HealthcareElement', body, actor));
  }

  @Get()
  @RequiresPermission('HealthcareElement', 'read')
  @ApiOperation({
    summary: 'List the healthcare elements you may read',
    description: `Of one patient with \`patientId\`. Keyset-paginated by id. ${ACCESS}`,
  })
  @ApiPage(HealthcareElementDto)
  @ApiProblems(400, 403)
  async filter(@Query() query: MedicalRecordFilterDto, @CurrentUser() actor: Principal): Promise<Page<HealthcareElementDto>> {
    const page = await this.records.filter(
      'HealthcareElement',
      { patientId: query.patientId },
      actor,
      query.limit ?? DEFAULT_PAGE_SIZE,
      query.cursor,
    );
    return { rows: page.rows.map(toMedicalRecordView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequiresPermission('HealthcareElement', 'read')
  @ApiOperation({ summary: 'Get a healthcare element', description: ACCESS })
  @ApiOkResponse({ type: HealthcareElementDto })
  @ApiProblems(400, 403, 404)
  async get(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<HealthcareElementDto> {
    return toMedicalRecordView(await this.records.get('HealthcareElement', id, actor));
  }

  @Put(':id')
  @RequiresPermission('HealthcareElement', 'update')
  @ApiOperation({
    summary: 'Modify a healthcare element',
    description: `Send it as read, with changes and its \`rev\` (stale → 409). ${ACCESS}`,
  })
  @ApiOkResponse({ type: HealthcareElementDto })
  @ApiProblems(400, 403, 404, 409)
  async modify(
    @Param('id', UuidPipe) id: string,
    @Body() body: HealthcareElementWriteDto,
    @CurrentUser() actor: Principal,
  ): Promise<HealthcareElementDto> {
    return toMedicalRecordView(await this.records.modify('HealthcareElement', id, body, actor));
  }

  @Delete(':id')
  @RequiresPermission('HealthcareElement', 'delete')
  @ApiOperation({ summary: 'Delete a healthcare element (soft delete)', description: ACCESS })
  @ApiOkResponse({ type: DeletedDto })
  @ApiProblems(400, 403, 404)
  delete(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<DeletedDto> {
    return this.records.delete('HealthcareElement', id, actor);
  }
}
