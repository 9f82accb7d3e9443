/** The platform's roles, each holding the ones after it (README "Accounts, sign-in and roles"). */
export type Role = 'admin' | 'operator' | 'agent' | 'customer';

const HOLDS: Record<Role, Role[]> = {
  admin: ['admin', 'operator', 'agent', 'customer'],
  operator: ['operator', 'agent', 'customer'],
  agent: ['agent', 'customer'],
  customer: ['customer'],
};

/** True when an account with `roles` may act as `role` (admin holds every role, operator holds agent). */
export function hasRole(roles: readonly string[] | undefined, role: Role): boolean {
  return (roles ?? []).some((r) => (HOLDS[r as Role] ?? []).includes(role));
}

/** Whether the console has anything for these roles (agents and up). */
export const mayUseConsole = (roles: readonly string[] | undefined) => hasRole(roles, 'agent');
