import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

export class FieldProblemDto {
  @ApiProperty({ example: 'email' }) field!: string;
  @ApiProperty({ example: 'email must be an email' }) message!: string;
}

/** RFC 9457 problem document, as every error is sent (`application/problem+json`). */
export class ProblemDto {
  @ApiProperty({ example: 'https://careid.dev/problems/duplicate-login' }) type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'A user with this login already exists' }) detail!: string;
  @ApiProperty({ example: 'DUPLICATE_LOGIN', description: 'Stable machine-readable code' }) code!: string;
  @ApiPropertyOptional({ type: [FieldProblemDto] }) errors?: FieldProblemDto[];
  @ApiProperty({ example: '6ffd6dcc-839a-46c2-ae37-a9a57cd8fe02' }) requestId!: string;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (`VALIDATION_FAILED`, `MALFORMED_JSON`, or a rule of this operation)',
  401: 'Missing or invalid credentials',
  403: "The caller's role may never do this",
  404: 'No such record, or not one the caller may read',
  409: 'Stale `rev` or a state that forbids this change',
  410: 'The one-time ticket or token is used, expired or revoked',
  413: 'Request body too large',
  429: 'Too many attempts; see Retry-After',
  503: 'The database is unavailable or too slow; retry',
};

/** Documents the problem+json answers an operation may give. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}

/** `{rows, nextCursor}` schema for a list of `model`. */
export function ApiPage(model: Type<unknown>, description = 'One page of results') {
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status: 200,
      description,
      schema: {
        type: 'object',
        required: ['rows', 'nextCursor'],
        properties: {
          rows: { type: 'array', items: { $ref: getSchemaPath(model) } },
          nextCursor: { type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' },
        },
      },
    }),
  );
}
