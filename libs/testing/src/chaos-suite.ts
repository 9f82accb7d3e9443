// The chaos suite's pieces (issue 20): the mixed load, the invariants, the fault proxy.
export {
  ACCOUNT_VELOCITY_RULE,
  chaosInvariantInputs,
  raiseAccountVelocityRule,
  setUpChaosShopOn,
} from './chaos-inputs';
export { brokenAnswers, setUpChaosShop, startMixedLoad } from './chaos-load';
export type { ChaosAction, ChaosShop, MixedLoad, Second, WindowStats } from './chaos-load';
export { checkInvariants, describeInvariants, settledInvariants } from './invariants';
export type { Invariant, InvariantInputs } from './invariants';
export { startOwnToxiproxy, toxiproxyClient, TOXIPROXY_SERVER_BIN } from './toxiproxy';
export type { OwnToxiproxy, Toxic, Toxiproxy, ToxiproxyProxy } from './toxiproxy';
