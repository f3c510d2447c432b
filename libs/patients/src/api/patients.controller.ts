import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, DeletedDto, type Principal, RequiresPermission } from '@careid/identity';
import { ApiPage, ApiProblems, DEFAULT_PAGE_SIZE, Page, UuidPipe } from '@careid/shared';
import { DataSharingService } from '../application/data-sharing.service';
import { PatientsService } from '../application/patients.service';
import {
  AdministrativePatientDto,
  DataSharingReportDto,
  DelegationDto,
  PatientDto,
  PatientFilterDto,
  PatientWriteDto,
} from './dto/patient.dto';
import { toAdministrativeView, toPatientView } from './patient.mapper';

const ACCESS =
  'Admins reach every patient; practitioner users the patients their practitioner holds a delegation on; patient users read the patients delegated to them. Any other patient answers 404, as if it did not exist.';

@ApiTags('patients')
@ApiBearerAuth('bearer')
@ApiProblems(401)
@Controller('api/v1/patients')
export class PatientsController {
  constructor(
    private readonly patients: PatientsService,
    private readonly sharing: DataSharingService,
  ) {}

  @Post()
  @RequiresPermission('Patient', 'create')
  @ApiOperation({
    summary: 'Create a patient (practitioner users, admins)',
    description:
      "`names` is computed from firstName/lastName when not given. The creating user's practitioner and its autoDelegations become the patient's delegates. Patient and plain users get 403.",
  })
  @ApiCreatedResponse({ type: PatientDto })
  @ApiProblems(400, 403)
  async create(@Body() body: PatientWriteDto, @CurrentUser() actor: Principal): Promise<PatientDto> {
    return toPatientView(await this.patients.create(body, actor));
  }

  @Get()
  @RequiresPermission('Patient', 'read')
  @ApiOperation({
    summary: 'List the patients you may read',
    description: `Keyset-paginated by id. \`name\` is a name prefix; \`ssin\` and \`dateOfBirth\` match exactly. ${ACCESS}`,
  })
  @ApiPage(PatientDto)
  @ApiProblems(400, 403)
  async filter(@Query() query: PatientFilterDto, @CurrentUser() actor: Principal): Promise<Page<PatientDto>> {
    const { limit, cursor, ...filter } = query;
    const page = await this.patients.filter(filter, actor, limit ?? DEFAULT_PAGE_SIZE, cursor);
    return { rows: page.rows.map(toPatientView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequiresPermission('Patient', 'read')
  @ApiOperation({ summary: 'Get a patient', description: ACCESS })
  @ApiOkResponse({ type: PatientDto })
  @ApiProblems(400, 403, 404)
  async get(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<PatientDto> {
    return toPatientView(await this.patients.get(id, actor));
  }

  @Get(':id/administrative')
  @RequiresPermission('Patient', 'read')
  @ApiOperation({
    summary: "The administrative part of a patient's record",
    description:
      "Names, gender, date of birth, languages, active. The patient's own user may always read it, before any data is shared with it.",
  })
  @ApiOkResponse({ type: AdministrativePatientDto })
  @ApiProblems(400, 403, 404)
  async getAdministrative(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<AdministrativePatientDto> {
    return toAdministrativeView(await this.patients.getAdministrative(id, actor));
  }

  @Put(':id')
  @RequiresPermission('Patient', 'update')
  @ApiOperation({
    summary: 'Modify a patient',
    description: `Send the patient as read, with changes and its \`rev\` (stale → 409). ${ACCESS} Patient users get 403.`,
  })
  @ApiOkResponse({ type: PatientDto })
  @ApiProblems(400, 403, 404, 409)
  async modify(@Param('id', UuidPipe) id: string, @Body() body: PatientWriteDto, @CurrentUser() actor: Principal): Promise<PatientDto> {
    return toPatientView(await this.patients.modify(id, body, actor));
  }

  @Delete(':id')
  @RequiresPermission('Patient', 'delete')
  @ApiOperation({ summary: 'Delete a patient (soft delete)', description: ACCESS })
  @ApiOkResponse({ type: DeletedDto })
  @ApiProblems(400, 403, 404)
  delete(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<DeletedDto> {
    return this.patients.delete(id, actor);
  }

  @Post(':id/delegations')
  @HttpCode(200)
  @RequiresPermission('Patient', 'update')
  @ApiOperation({
    summary: 'Share a patient with another data owner',
    description:
      'A delegate of the patient adds a practitioner or a patient (`dataOwnerId`, which must exist, else 400 DATA_OWNER_NOT_FOUND) as delegate; with `includeRecords`, also on every medical record of the patient it can read. Bumps the rev of each record that changes.',
  })
  @ApiOkResponse({ type: PatientDto, description: 'The patient with its delegations' })
  @ApiProblems(400, 403, 404)
  async addDelegation(
    @Param('id', UuidPipe) id: string,
    @Body() body: DelegationDto,
    @CurrentUser() actor: Principal,
  ): Promise<PatientDto> {
    return toPatientView(await this.patients.addDelegation(id, body, actor));
  }

  @Post(':id/share-all-data')
  @HttpCode(200)
  @RequiresPermission('Patient', 'update')
  @ApiOperation({
    summary: "Give a patient access to all its data (iCure's giveAccessToAllDataOf)",
    description:
      'In one transaction, makes the patient a delegate of its own record and of each of its data samples and healthcare elements that you can read, and reports how many changed. Running it again changes nothing. The patient needs an activated user: 400 PATIENT_HAS_NO_USER when it has none, 400 PATIENT_NOT_ACTIVATED while it has not activated its invitation (or its user is disabled).',
  })
  @ApiOkResponse({ type: DataSharingReportDto })
  @ApiProblems(400, 403, 404, 409)
  async shareAllData(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<DataSharingReportDto> {
    const report = await this.sharing.shareAllDataWithPatient(id, actor);
    return { ...report, patient: toPatientView(report.patient) };
  }
}
