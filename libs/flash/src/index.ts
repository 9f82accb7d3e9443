export {
  FLASH_ATTEMPT_LUA_FILE,
  FlashPool,
  flashKey,
  newFlashToken,
  saleOfToken,
  type FlashKeyPart,
  type PendingWin,
  type PoolDecision,
  type PoolResult,
} from './flash-pool';
