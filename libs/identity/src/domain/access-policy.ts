/**
 * Oystehr-style access policies: a user may carry rules that narrow what its
 * role allows. With a policy, an action is allowed only when an Allow rule
 * matches it and no Deny rule does (Deny wins). Without one, the role decides.
 */
export const POLICY_RESOURCES = ['Patient', 'Practitioner', 'User', 'DataSample', 'HealthcareElement', '*'] as const;
export const POLICY_ACTIONS = ['read', 'create', 'update', 'delete', '*'] as const;

export type PolicyResource = (typeof POLICY_RESOURCES)[number];
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

export interface AccessPolicyRule {
  resource: PolicyResource[];
  action: PolicyAction[];
  effect: 'Allow' | 'Deny';
}

export interface AccessPolicy {
  rule: AccessPolicyRule[];
}

function matches(rule: AccessPolicyRule, resource: Exclude<PolicyResource, '*'>, action: Exclude<PolicyAction, '*'>): boolean {
  return (rule.resource.includes('*') || rule.resource.includes(resource)) && (rule.action.includes('*') || rule.action.includes(action));
}

/** Whether the policy lets `action` on `resource` through (a missing policy lets everything through). */
export function policyAllows(
  policy: AccessPolicy | null | undefined,
  resource: Exclude<PolicyResource, '*'>,
  action: Exclude<PolicyAction, '*'>,
): boolean {
  if (!policy) return true;
  const relevant = policy.rule.filter((rule) => matches(rule, resource, action));
  return relevant.some((rule) => rule.effect === 'Allow') && !relevant.some((rule) => rule.effect === 'Deny');
}

/** Accepts `resource`/`action` given as a string or an array, as the contract allows, and returns arrays. */
export function normalizeAccessPolicy(input: {
  rule: { resource: string | string[]; action: string | string[]; effect: string }[];
}): AccessPolicy {
  return {
    rule: input.rule.map((rule) => ({
      resource: (Array.isArray(rule.resource) ? rule.resource : [rule.resource]) as PolicyResource[],
      action: (Array.isArray(rule.action) ? rule.action : [rule.action]) as PolicyAction[],
      effect: rule.effect as 'Allow' | 'Deny',
    })),
  };
}
