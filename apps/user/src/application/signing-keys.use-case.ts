import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { CLOCK, type Clock, TOKEN_SIGNER, type TokenSigner } from './ports';

@Injectable()
export class SigningKeysUseCase {
  constructor(
    @Inject(TOKEN_SIGNER) private readonly signer: TokenSigner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  jwks(_ctx: RequestContext): Promise<{ keys: object[] }> {
    return this.signer.jwks(this.clock.now());
  }

  rotate(_ctx: RequestContext): Promise<string> {
    return this.signer.rotate(this.clock.now());
  }
}
