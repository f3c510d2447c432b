import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsObject,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  Validate,
} from 'class-validator';
import { POLICY_ACTIONS, POLICY_RESOURCES } from '../../domain/access-policy';

@ValidatorConstraint({ name: 'oneOrManyOf' })
class OneOrManyOf implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const allowed = args.constraints[0] as readonly string[];
    const values = Array.isArray(value) ? value : [value];
    return values.length > 0 && values.length <= 10 && values.every((item) => typeof item === 'string' && allowed.includes(item));
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be one of ${(args.constraints[0] as string[]).join(', ')}, or an array of them`;
  }
}

export class AccessPolicyRuleDto {
  @ApiProperty({
    oneOf: [
      { type: 'string', enum: [...POLICY_RESOURCES] },
      { type: 'array', items: { type: 'string', enum: [...POLICY_RESOURCES] } },
    ],
    example: ['Patient'],
  })
  @Validate(OneOrManyOf, [POLICY_RESOURCES])
  resource!: string | string[];

  @ApiProperty({
    oneOf: [
      { type: 'string', enum: [...POLICY_ACTIONS] },
      { type: 'array', items: { type: 'string', enum: [...POLICY_ACTIONS] } },
    ],
    example: ['read'],
  })
  @Validate(OneOrManyOf, [POLICY_ACTIONS])
  action!: string | string[];

  @ApiProperty({ enum: ['Allow', 'Deny'], example: 'Allow', description: 'A Deny rule wins over any Allow rule' })
  @IsIn(['Allow', 'Deny'])
  effect!: 'Allow' | 'Deny';
}

/** Oystehr-style access policy: narrows what the role allows; a Deny rule wins. */
export class AccessPolicyDto {
  @ApiProperty({ type: [AccessPolicyRuleDto], example: [{ resource: ['*'], action: ['*'], effect: 'Allow' }] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AccessPolicyRuleDto)
  @IsObject({ each: true })
  rule!: AccessPolicyRuleDto[];
}
