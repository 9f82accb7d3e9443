/**
 * The RPCs of UserService this controller answers (issue 23: SMS codes, sessions and devices,
 * step-up, sensitive changes, one address); UserGrpcController answers the others.
 */
export const SECURITY_RPCS = [
  'sendSmsCode',
  'setSmsMfa',
  'listSessions',
  'revokeSession',
  'forgetDevice',
  'beginStepUp',
  'stepUp',
  'changePassword',
  'changeEmail',
  'changePhone',
  'getAddress',
] as const;
export type SecurityRpc = (typeof SECURITY_RPCS)[number];

/**
 * A generated `…ControllerMethods()` decorator for a controller that answers all the service's
 * RPCs but `except` (another controller's): the generated one registers every RPC of the service
 * and needs a method for each, so stand-ins are put on the prototype while it runs and removed
 * after (Nest finds handlers among the prototype's methods: the stand-ins are never routed).
 */
export function allRpcsExcept(generated: ClassDecorator, except: readonly string[]) {
  return (ctor: { prototype: object }): void => {
    const proto = ctor.prototype as Record<string, unknown>;
    const added = except.filter((m) => !Object.prototype.hasOwnProperty.call(proto, m));
    for (const m of added)
      Object.defineProperty(proto, m, {
        value: () => undefined,
        configurable: true,
        writable: true,
      });
    generated(ctor as unknown as Parameters<ClassDecorator>[0]);
    for (const m of added) delete proto[m];
  };
}
