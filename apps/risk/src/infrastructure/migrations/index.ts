import { RiskSchema1764000001600 } from './1764000001600-risk-schema';
import { RiskReviews1764000001700 } from './1764000001700-risk-reviews';
import { IpVelocityDefault1764000001800 } from './1764000001800-ip-velocity-default';
import { AccountReturnFacts1764000001900 } from './1764000001900-account-return-facts';
import { AddressAndReturnRules1764000002000 } from './1764000002000-address-and-return-rules';
import { AddressListFingerprints1764000002100 } from './1764000002100-address-list-fingerprints';
import { FraudModel1764000002200 } from './1764000002200-fraud-model';

/** Every migration of the risk database, in order. Never `synchronize`. */
export const RISK_MIGRATIONS = [
  RiskSchema1764000001600,
  RiskReviews1764000001700,
  IpVelocityDefault1764000001800,
  AccountReturnFacts1764000001900,
  AddressAndReturnRules1764000002000,
  AddressListFingerprints1764000002100,
  FraudModel1764000002200,
];
